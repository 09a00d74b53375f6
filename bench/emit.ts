/**
 * The `emit` scenario: iptables and nftables emission for S-services's cluster (1,000 workloads,
 * 10,000 pods, 1,000 NetworkPolicies, 2,000 Services), with addresses assigned to every pod and
 * Service before analysis (`assignAddresses`, as `netpolc emit --assign-ips`).
 *
 * Per target: emission time (the engine's analysis excluded; the two directional analyses the
 * emitters derive are included, each target measured on a fresh analysis so each pays for them),
 * the ruleset's size (EmitStats), and — as root with the tools installed — the time to load it into
 * a fresh network namespace: `nft -f` for nftables, `ipset restore` + `iptables-restore`
 * (+ `ip6tables-restore`) for iptables. Target: emission < 2 s per target.
 */
import { execFileSync, execSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assignAddresses, type Emission, emit, TEXT_TARGETS, type TextTarget } from "../src/emit/index.js";
import { analyze, buildCluster } from "../src/model/index.js";
import { parseText } from "../src/parser/index.js";
import { generate } from "./generate.js";
import { scenarios } from "./scenarios.js";

export const EMIT_SCENARIO = "emit";
export const EMIT_TARGET_MS = 2000;

export interface EmitTargetResult {
  readonly target: TextTarget;
  /** Wall-clock time of the fastest of RUNS emissions, each on a fresh analysis. */
  readonly emitMs: number;
  /** CPU time of that run (less sensitive than wall time to other load on the machine). */
  readonly emitCpuMs: number;
  readonly stats: Emission["stats"];
  /** Wall time to load the files into a fresh namespace; undefined when it cannot be measured here. */
  readonly loadMs?: number | undefined;
  readonly loadNote?: string | undefined;
}

export interface EmitBenchResult {
  readonly name: typeof EMIT_SCENARIO;
  readonly counts: { pods: number; policies: number; services: number; classes: number; atoms: number };
  readonly analyzeMs: number;
  readonly targets: readonly EmitTargetResult[];
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
/** Emissions per target; the fastest is reported (the first one also pays for JIT compilation). */
const RUNS = 3;

function canLoad(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  try {
    execSync("command -v ip nft iptables-restore ipset", { stdio: "ignore" });
  } catch {
    return "ip, nft, iptables-restore or ipset missing";
  }
  return undefined;
}

/** Loads the files into a fresh namespace and returns the wall time of the loading commands. */
function loadTime(e: Emission): number {
  const ns = `npk-${process.pid}-bench`;
  const dir = mkdtempSync(join(tmpdir(), "netpolc-bench-"));
  execFileSync("ip", ["netns", "add", ns]);
  try {
    let total = 0;
    for (const f of e.files) {
      const path = join(dir, f.name);
      writeFileSync(path, f.content);
      const cmd = {
        nft: `nft -f ${path}`,
        "ipset-restore": `ipset restore -exist < ${path}`,
        // A fresh namespace holds nothing to keep: --noflush would change nothing but the time
        // (iptables-nft 1.8.9 takes minutes with it on ~30,000 chains; see docs/emit.md).
        "iptables-restore": `iptables-restore < ${path}`,
        "ip6tables-restore": `ip6tables-restore < ${path}`,
      }[f.kind as string];
      if (!cmd) continue;
      const start = process.hrtime.bigint();
      execSync(`ip netns exec ${ns} sh -c '${cmd}'`, { stdio: "ignore", maxBuffer: 1 << 30 });
      total += ms(start);
    }
    return total;
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runEmitBench(seed: number): EmitBenchResult {
  const s = scenarios(seed).find((x) => x.name === "S-services")!;
  const { text } = generate(s.size);
  const { cluster } = buildCluster(parseText(text, "synthetic.yaml").objects);
  const addressed = assignAddresses(cluster).cluster;
  let start = process.hrtime.bigint();
  const first = analyze(addressed);
  const analyzeMs = ms(start);
  const why = canLoad();
  const targets = TEXT_TARGETS.map((target): EmitTargetResult => {
    let best = { ms: Number.POSITIVE_INFINITY, cpuMs: 0 };
    let last: Emission | undefined;
    for (let i = 0; i < RUNS; i++) {
      // A fresh analysis per run, so each pays for the directional analyses the emitters derive.
      const a = analyze(addressed);
      const cpu = process.cpuUsage();
      start = process.hrtime.bigint();
      last = emit(a, target);
      const wall = ms(start);
      const used = process.cpuUsage(cpu);
      if (wall < best.ms) best = { ms: wall, cpuMs: (used.user + used.system) / 1000 };
    }
    const emitMs = best.ms;
    const e = last!;
    let loadMs: number | undefined;
    let loadNote = why;
    if (!why)
      try {
        loadMs = loadTime(e);
      } catch (err) {
        loadNote = `load failed: ${(err as Error).message.split("\n")[0]}`;
      }
    return { target, emitMs, emitCpuMs: best.cpuMs, stats: e.stats, loadMs, loadNote };
  });
  return {
    name: EMIT_SCENARIO,
    counts: {
      pods: first.cluster.pods.length,
      policies: first.cluster.policies.length,
      services: first.cluster.services.length,
      classes: first.classCount,
      atoms: first.space.atoms.length,
    },
    analyzeMs,
    targets,
  };
}

export function emitLines(r: EmitBenchResult): string[] {
  const c = r.counts;
  const lines = [
    `emit: ${c.pods} pods, ${c.policies} policies, ${c.services} Services (${c.classes} classes, ${c.atoms} atoms); analyze ${r.analyzeMs.toFixed(0)} ms`,
  ];
  for (const t of r.targets) {
    const s = t.stats;
    lines.push(
      `  ${t.target.padEnd(9)} emit ${t.emitMs.toFixed(0).padStart(5)} ms (cpu ${t.emitCpuMs.toFixed(0)} ms)  ${s.rules} rules, ${s.chains} chains, ${s.sets} sets (${s.setElements} elements), ${s.mapEntries} map entries, ${(s.bytes / 1024 / 1024).toFixed(1)} MiB; load ${t.loadMs !== undefined ? `${t.loadMs.toFixed(0)} ms` : `not measured (${t.loadNote})`}  ${t.emitMs < EMIT_TARGET_MS ? "PASS" : "FAIL"} (< ${EMIT_TARGET_MS} ms)`,
    );
  }
  return lines;
}
