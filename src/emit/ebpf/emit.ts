/**
 * `emitEbpf`: the eBPF target. Model → map state (state.ts) → a `bpftool batch` file and a JSON
 * document (render.ts) for bpf/netpolc.bpf.c, map layout 1 (docs/ebpf.md).
 */
import type { Analysis } from "../../model/index.js";
import type { Emission, EmitOptions } from "../types.js";
import { DEFAULT_PIN_ROOT } from "./layout.js";
import { capacityNotes, mapSizes, renderBatch, renderJson } from "./render.js";
import { buildState } from "./state.js";

/**
 * The maps of one node (`options.node`; every pod when undefined). `pinRoot`: the bpffs directory
 * the program's maps are pinned in (the batch file names them).
 */
export function emitEbpf(
  analysis: Analysis,
  options: EmitOptions,
  pinRoot: string = DEFAULT_PIN_ROOT,
): Emission {
  // 1. The map state.
  const built = buildState(analysis, options);
  // 2. Sizes, and what would not fit.
  const sizes = mapSizes(built);
  const state = { ...built, notes: [...built.notes, ...capacityNotes(sizes)] };
  // 3. Text.
  const base = state.node === "" ? "cluster" : state.node;
  const json = renderJson(state, pinRoot, sizes);
  const batch = renderBatch(state, pinRoot);
  const policyEntries = state.policies.reduce((n, p) => n + p.entries.length, 0);
  const entries = sizes.reduce((n, m) => n + m.entries, 0);
  return {
    target: "ebpf",
    node: state.node,
    files: [
      { name: `${base}.ebpf.json`, kind: "ebpf-json", content: json },
      { name: `${base}.ebpf.batch`, kind: "bpftool-batch", content: batch },
    ],
    stats: {
      rules: policyEntries,
      chains: 0,
      sets: 5 + state.policies.length,
      setElements: entries - policyEntries,
      mapEntries: entries,
      bytes: sizes.reduce((n, m) => n + m.bytes, 0),
    },
    warnings: state.notes,
  };
}
