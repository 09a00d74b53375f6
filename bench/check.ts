/**
 * `netpolc check` benchmark, cold start (a fresh `node dist/src/cli/main.js check` process each run,
 * z3 included), run alone: `node dist/bench/check.js [--repeat N] [--only demo,S]`.
 *
 * - demo: the README demo with the pull-request guarantees (fixtures/check/pr-review/guarantees.ng)
 *   and the demo itself as base. Target < 2 s.
 * - S: the 1,000-workload synthetic cluster of bench/solver.ts (1,000 policies, 10,000 pods, 500
 *   Services) with its ten guarantees, against a base without the last five NetworkPolicies (a
 *   pull request that adds five). Target < 10 s.
 *
 * Each run is timed from spawn to exit; the stage times come from the command itself
 * (`NETPOLC_TIMINGS=1`). The fastest of `--repeat` runs is reported, with the load average (this
 * machine is shared). Writes bench/out/check.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./generate.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "main.js");
const { values } = parseArgs({
  options: {
    repeat: { type: "string", default: "3" },
    only: { type: "string", default: "demo,S" },
    "lint-budget": { type: "string" },
  },
});

interface Run {
  readonly wallMs: number;
  readonly code: number | null;
  readonly stages: Record<string, number>;
}

function check(args: readonly string[]): Run {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, "check", ...args], {
    cwd: ROOT,
    env: { ...process.env, NETPOLC_TIMINGS: "1", NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  const wallMs = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`netpolc check exited ${r.status}: ${r.stderr}`);
  const stages: Record<string, number> = {};
  for (const m of r.stderr.matchAll(/^timing: (.*): (\d+) ms$/gm)) stages[m[1]!] = Number(m[2]);
  return { wallMs, code: r.status, stages };
}

/** The ten guarantees of bench/solver.ts, over the generated cluster's first application namespaces. */
function guaranteesFor(namespaces: readonly string[], first: readonly string[]): string {
  const [a, b] = namespaces;
  const [wa, wb] = [first[0]!, first[1] ?? first[0]!];
  return `
guarantee g1-isolated-ingress: isolated ingress for namespace ${a}
guarantee g2-isolated-everywhere: isolated both for any pod
guarantee g3-no-external-db: deny from external to namespace ${a} on tcp/5432
guarantee g4-sealed-workload: deny from not namespace ${a} to workload ${wa}
guarantee g5-app-path: allow from workload ${wa} to workload ${wb} on tcp/8080
guarantee g6-egress-within: egress of namespace ${a} within { namespace ${a}, kube-system/coredns on udp/53, tcp/53 }
guarantee g7-cross-namespace: deny from namespace ${b} to namespace ${a}
guarantee g8-low-ports: deny from any pod to pods(app.kubernetes.io/component=db) in namespace ${a} on tcp/1-1024
guarantee g9-monitoring: allow from existing namespace monitoring to namespace ${a} on tcp/9090
guarantee g10-dns-open: deny from anything to namespace kube-system on udp/53
`;
}

/** Head and base files of the S scenario: the base lacks the head's last five NetworkPolicies. */
function syntheticS(dir: string): string[] {
  const g = generate({
    namespaces: 20,
    workloads: 1_000,
    replicas: 10,
    policies: 1_000,
    services: 500,
    adminPolicies: 0,
    baselinePolicies: 0,
    seed: 1,
  });
  const docs = g.text.split(/^---$/m);
  const policyDocs = docs.map((d, i) => (/^kind: NetworkPolicy$/m.test(d) ? i : -1)).filter((i) => i >= 0);
  const dropped = new Set(policyDocs.slice(-5));
  writeFileSync(join(dir, "head.yaml"), g.text);
  writeFileSync(join(dir, "base.yaml"), docs.filter((_, i) => !dropped.has(i)).join("---"));
  const namespaces = [...g.text.matchAll(/^kind: Namespace\nmetadata:\n(?: {2}.*\n)*? {2}name: (.*)$/gm)].map(
    (m) => m[1]!,
  );
  const apps = namespaces.filter((n) => !["kube-system", "ingress-nginx", "monitoring"].includes(n));
  const inFirst = [...g.text.matchAll(/^kind: Deployment\nmetadata:\n {2}name: (.*)\n {2}namespace: (.*)$/gm)]
    .filter((m) => m[2] === apps[0])
    .map((m) => `${m[2]}/${m[1]}`);
  writeFileSync(join(dir, "guarantees.ng"), guaranteesFor(apps, inFirst));
  return [join(dir, "head.yaml"), "--base", join(dir, "base.yaml"), "-g", join(dir, "guarantees.ng")];
}

const SCENARIOS = {
  demo: {
    targetMs: 2_000,
    args: () => ["fixtures/demo", "--base", "fixtures/demo", "-g", "fixtures/check/pr-review/guarantees.ng"],
  },
  S: { targetMs: 10_000, args: syntheticS },
} as const;

function main(): void {
  const repeat = Number(values.repeat);
  const dir = mkdtempSync(join(tmpdir(), "netpolc-bench-check-"));
  const results = [];
  try {
    for (const name of values.only!.split(",").map((s) => s.trim()) as (keyof typeof SCENARIOS)[]) {
      const s = SCENARIOS[name];
      if (!s) throw new Error(`unknown scenario ${name} (demo, S)`);
      const budget = values["lint-budget"] ? ["--lint-budget", values["lint-budget"]] : [];
      const args = [...s.args(dir), ...budget, "-o", `json=${join(dir, `${name}.json`)}`];
      const runs: Run[] = [];
      for (let i = 0; i < repeat; i++) runs.push(check(args));
      const best = runs.reduce((x, y) => (y.wallMs < x.wallMs ? y : x));
      const load = loadavg()[0]!;
      console.log(
        `check-${name}: ${best.wallMs.toFixed(0)} ms (best of ${repeat}; runs ${runs.map((r) => r.wallMs.toFixed(0)).join(", ")} ms; load ${load.toFixed(1)}) target < ${s.targetMs} ms: ${best.wallMs < s.targetMs ? "PASS" : "FAIL"}`,
      );
      for (const [stage, ms] of Object.entries(best.stages))
        console.log(`  ${stage.padEnd(28)} ${String(ms).padStart(7)} ms`);
      results.push({
        scenario: name,
        targetMs: s.targetMs,
        bestMs: best.wallMs,
        runsMs: runs.map((r) => r.wallMs),
        exit: best.code,
        stages: best.stages,
        loadavg: load,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = join(ROOT, "bench", "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "check.json"), `${JSON.stringify({ results }, null, 2)}\n`);
}

main();
