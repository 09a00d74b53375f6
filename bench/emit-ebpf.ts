/**
 * The `emit-ebpf` scenario: eBPF map emission for S-services's cluster (1,000 workloads, 10,000 pods,
 * 1,000 NetworkPolicies, 2,000 Services), with addresses assigned to every pod and Service before
 * analysis (`assignAddresses`, as `netpolc emit --assign-ips`).
 *
 * Measured: emission time on a fresh analysis (the engine's analysis excluded; the emitter's own
 * queries of it included), the fastest of `repeat` runs; the maps' sizes (entries, bytes of keys and
 * values, per map) and the files' sizes; and — as root with clang and bpftool — the time to load the
 * program and `bpftool batch` the maps. Target: emission < 2 s.
 *
 *   node dist/bench/emit-ebpf.js [--seed N] [--repeat N]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { assignAddresses, emitEbpf } from "../src/emit/index.js";
import { analyze, buildCluster } from "../src/model/index.js";
import { parseText } from "../src/parser/index.js";
import { generate } from "./generate.js";
import { scenarios } from "./scenarios.js";

export const EMIT_EBPF_SCENARIO = "emit-ebpf";
export const EMIT_EBPF_TARGET_MS = 2000;
const SOURCE = join(import.meta.dirname, "..", "..", "src", "emit", "ebpf", "bpf", "netpolc.bpf.c");

interface MapSize {
  readonly name: string;
  readonly maxEntries: number;
  readonly entries: number;
  readonly bytes: number;
}

export interface EmitEbpfResult {
  readonly name: typeof EMIT_EBPF_SCENARIO;
  readonly counts: { pods: number; policies: number; services: number; classes: number; atoms: number };
  readonly analyzeMs: number;
  /** Fastest emission over the runs, each on a fresh analysis. */
  readonly emitMs: number;
  readonly runs: number;
  readonly identities: number;
  readonly policyMaps: number;
  readonly maps: readonly MapSize[];
  readonly fileBytes: { json: number; batch: number };
  readonly notes: number;
  /** Program load + `bpftool batch` wall time; undefined when it cannot be measured here. */
  readonly loadMs?: number | undefined;
  readonly loadNote?: string | undefined;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function canLoad(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  try {
    execFileSync("sh", ["-c", "command -v clang bpftool"], { stdio: "ignore" });
  } catch {
    return "clang or bpftool missing";
  }
  return undefined;
}

/** Compiles and loads the program into a fresh pin directory, then runs the batch: wall time of the two loads. */
function loadTime(batch: (pinRoot: string) => string): number {
  const dir = mkdtempSync(join(tmpdir(), "netpolc-bench-ebpf-"));
  const pins = `/sys/fs/bpf/netpolc-bench-${process.pid}`;
  try {
    const object = join(dir, "netpolc.bpf.o");
    const multiarch = `/usr/include/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
    execFileSync("clang", ["-O2", "-g", "-target", "bpf", `-I${multiarch}`, "-c", SOURCE, "-o", object]);
    const file = join(dir, "maps.batch");
    writeFileSync(file, batch(pins));
    mkdirSync(pins, { recursive: true });
    const start = process.hrtime.bigint();
    execFileSync("bpftool", ["prog", "loadall", object, `${pins}/progs`, "pinmaps", pins]);
    execFileSync("bpftool", ["batch", "file", file], { stdio: "ignore" });
    return ms(start);
  } finally {
    rmSync(pins, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runEmitEbpfBench(seed: number, repeat = 3): EmitEbpfResult {
  // 1. S-services's cluster, addressed, analysed.
  const s = scenarios(seed).find((x) => x.name === "S-services")!;
  const { cluster } = buildCluster(parseText(generate(s.size).text, "synthetic.yaml").objects);
  const addressed = assignAddresses(cluster).cluster;
  let start = process.hrtime.bigint();
  const first = analyze(addressed);
  const analyzeMs = ms(start);
  // 2. Emission, each run on a fresh analysis (the emitter's queries fill the analysis's caches).
  let emitMs = Number.POSITIVE_INFINITY;
  let e = emitEbpf(first, {});
  for (let i = 0; i < repeat; i++) {
    const a = i === 0 ? first : analyze(addressed);
    start = process.hrtime.bigint();
    e = emitEbpf(a, {});
    emitMs = Math.min(emitMs, ms(start));
  }
  // 3. Sizes, from the JSON document.
  const json = e.files.find((f) => f.kind === "ebpf-json")!.content;
  const batch = e.files.find((f) => f.kind === "bpftool-batch")!.content;
  const doc = JSON.parse(json) as {
    maps: MapSize[];
    identities: unknown[];
    policies: unknown[];
    notes: string[];
  };
  // 4. Loading, where possible.
  let loadMs: number | undefined;
  let loadNote = canLoad();
  if (!loadNote)
    try {
      loadMs = loadTime(
        (pins) => emitEbpf(first, {}, pins).files.find((f) => f.kind === "bpftool-batch")!.content,
      );
    } catch (err) {
      loadNote = `load failed: ${(err as Error).message.split("\n")[0]}`;
    }
  return {
    name: EMIT_EBPF_SCENARIO,
    counts: {
      pods: first.cluster.pods.length,
      policies: first.cluster.policies.length,
      services: first.cluster.services.length,
      classes: first.classCount,
      atoms: first.space.atoms.length,
    },
    analyzeMs,
    emitMs,
    runs: repeat,
    identities: doc.identities.length,
    policyMaps: doc.policies.length,
    maps: doc.maps.map((m) => ({
      name: m.name,
      maxEntries: m.maxEntries,
      entries: m.entries,
      bytes: m.bytes,
    })),
    fileBytes: { json: Buffer.byteLength(json), batch: Buffer.byteLength(batch) },
    notes: doc.notes.length,
    loadMs,
    loadNote,
  };
}

export function emitEbpfLines(r: EmitEbpfResult): string[] {
  const c = r.counts;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  return [
    `emit-ebpf: ${c.pods} pods, ${c.policies} policies, ${c.services} Services (${c.classes} classes, ${c.atoms} atoms); analyze ${r.analyzeMs.toFixed(0)} ms`,
    `  emit ${r.emitMs.toFixed(0)} ms (fastest of ${r.runs}), ${r.identities} identities, ${r.policyMaps} policy maps; files: JSON ${mib(r.fileBytes.json)}, batch ${mib(r.fileBytes.batch)}; load ${r.loadMs !== undefined ? `${r.loadMs.toFixed(0)} ms` : `not measured (${r.loadNote})`}  ${r.emitMs < EMIT_EBPF_TARGET_MS ? "PASS" : "FAIL"} (< ${EMIT_EBPF_TARGET_MS} ms)`,
    ...r.maps.map(
      (m) =>
        `  ${m.name.padEnd(13)} ${String(m.entries).padStart(8)} entries ${mib(m.bytes).padStart(10)}  (max_entries ${m.maxEntries})`,
    ),
  ];
}

// --- entry, when run on its own ---------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { seed: { type: "string", default: "1" }, repeat: { type: "string", default: "3" } },
  });
  const r = runEmitEbpfBench(Number(values.seed), Number(values.repeat));
  for (const line of emitEbpfLines(r)) console.log(line);
}
