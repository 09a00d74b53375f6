/**
 * Translation-validation benchmark, run alone: `node dist/bench/validate.js [--only demo,S]
 * [--targets iptables,nftables,ebpf] [--timeout MS]` (after `npx tsc -p tsconfig.json`).
 *
 * | scenario | input                                                                                  |
 * |----------|----------------------------------------------------------------------------------------|
 * | demo     | fixtures/demo                                                                          |
 * | S        | S-services's synthetic cluster: 1,000 workloads, 10,000 pods, 1,000 NetworkPolicies,    |
 * |          | 2,000 Services (bench/generate.ts)                                                     |
 * Addresses are assigned as `netpolc emit --assign-ips`; every pod is local (no `--node`). Per
 * target: emission time, then validation (`validateEmission`) with each step's time and z3's share
 * of it. Each (scenario, target) runs in a child process: z3's wasm heap (2 GiB at most) is its own.
 * Results print as they come and go to bench/out/validate.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { assignAddresses, type Emission, emit, emitEbpf } from "../src/emit/index.js";
import { type Analysis, analyze, buildCluster, type Cluster } from "../src/model/index.js";
import { loadPaths, parseText } from "../src/parser/index.js";
import { type Step, shutdownZ3, validateEmission, z3, z3StartupMs } from "../src/solver/index.js";
import { generate } from "./generate.js";
import { scenarios } from "./scenarios.js";

const TARGETS = ["iptables", "nftables", "ebpf"] as const;
type Target = (typeof TARGETS)[number];
const SCENARIOS = ["demo", "S"] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    only: { type: "string", default: SCENARIOS.join(",") },
    targets: { type: "string", default: TARGETS.join(",") },
    timeout: { type: "string", default: "1800000" },
    child: { type: "string" },
    out: { type: "string" },
  },
});

interface Figures {
  readonly scenario: Scenario;
  readonly target: Target;
  readonly pods: number;
  readonly policies: number;
  readonly services: number;
  readonly classes: number;
  readonly atoms: number;
  readonly analyzeMs: number;
  readonly emitMs: number;
  readonly stats: Emission["stats"];
  readonly z3StartupMs: number;
  readonly status: string;
  readonly checks: number;
  readonly validateMs: number;
  readonly steps: readonly Step[];
  readonly peakRssMB: number;
}

async function clusterOf(scenario: Scenario): Promise<Cluster> {
  if (scenario === "demo") {
    const parsed = await loadPaths([join(import.meta.dirname, "..", "..", "fixtures", "demo")], {});
    return buildCluster(parsed.objects).cluster;
  }
  const s = scenarios(1).find((x) => x.name === "S-services")!;
  return buildCluster(parseText(generate(s.size).text, "synthetic.yaml").objects).cluster;
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;

async function child(scenario: Scenario, target: Target, out: string): Promise<void> {
  const cluster = assignAddresses(await clusterOf(scenario)).cluster;
  let t = performance.now();
  const a: Analysis = analyze(cluster);
  const analyzeMs = performance.now() - t;
  t = performance.now();
  const e = target === "ebpf" ? emitEbpf(a, {}) : emit(a, target, {});
  const emitMs = performance.now() - t;
  await z3();
  const label = `validate-${scenario} ${target}`;
  console.log(
    `${label}: ${a.cluster.pods.length} pods, ${a.cluster.policies.length} policies, ${a.cluster.services.length} Services (${a.classCount} classes, ${a.space.atoms.length} atoms); analyze ${analyzeMs.toFixed(0)} ms, emit ${emitMs.toFixed(0)} ms (${e.stats.rules} rules, ${e.stats.sets} sets, ${e.stats.mapEntries} map entries); z3 start-up ${z3StartupMs().toFixed(0)} ms`,
  );
  t = performance.now();
  const v = await validateEmission(a, e, {
    timeoutMs: Number(values.timeout),
    onStep: (s) =>
      console.log(
        `  ${s.check.padEnd(28)} ${s.result.padEnd(6)} ${s.ms.toFixed(0).padStart(8)} ms${s.solveMs !== undefined ? ` (z3 ${s.solveMs.toFixed(0)} ms)` : ""}`,
      ),
  });
  const validateMs = performance.now() - t;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${label}: ${v.status}, ${v.checks} checks, ${ms(t)} in all, peak RSS ${peakRssMB.toFixed(0)} MB`,
  );
  const figures: Figures = {
    scenario,
    target,
    pods: a.cluster.pods.length,
    policies: a.cluster.policies.length,
    services: a.cluster.services.length,
    classes: a.classCount,
    atoms: a.space.atoms.length,
    analyzeMs,
    emitMs,
    stats: e.stats,
    z3StartupMs: z3StartupMs(),
    status: v.status,
    checks: v.checks,
    validateMs,
    steps: v.timings,
    peakRssMB,
  };
  writeFileSync(out, JSON.stringify(figures));
  await shutdownZ3();
}

function main(): void {
  const dir = join(import.meta.dirname, "..", "..", "bench", "out");
  mkdirSync(dir, { recursive: true });
  const results: unknown[] = [];
  for (const scenario of values.only!.split(",").map((s) => s.trim()) as Scenario[]) {
    if (!SCENARIOS.includes(scenario))
      throw new Error(`unknown scenario ${scenario} (${SCENARIOS.join(", ")})`);
    for (const target of values.targets!.split(",").map((s) => s.trim()) as Target[]) {
      if (!TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
      const out = join(dir, `validate-${scenario}-${target}.json`);
      try {
        execFileSync(
          process.execPath,
          [process.argv[1]!, "--child", `${scenario}/${target}`, "--out", out, "--timeout", values.timeout!],
          { stdio: "inherit" },
        );
        results.push(JSON.parse(readFileSync(out, "utf8")));
      } catch (e) {
        console.log(`validate-${scenario} ${target}: failed (${(e as Error).message.split("\n")[0]})`);
        results.push({ scenario, target, failed: true });
      }
    }
  }
  writeFileSync(join(dir, "validate.json"), `${JSON.stringify(results, null, 2)}\n`);
}

if (values.child) {
  const [scenario, target] = values.child.split("/") as [Scenario, Target];
  await child(scenario, target, values.out!);
} else main();
