/**
 * REPL latency benchmark (alone: `node dist/bench/repl.js [--runs N]`): the session is loaded once on
 * the synthetic cluster of 1,000 workloads / 10,000 pods / 1,000 policies / 500 Services (bench S,
 * generate.ts), then each query form is answered N times (after one warm-up answer) and its median
 * and slowest times are reported. `what if` forms are followed by `undo` (not timed). Targets
 * (REPL issue): every engine query form < 50 ms, `what if label` < 200 ms; solver forms (`check`,
 * `can SET reach …`) are reported (z3's time, not the REPL's). Writes bench/out/repl.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { analyze } from "../src/model/index.js";
import { loadSession, replOptions } from "../src/repl/index.js";
import { shutdownZ3 } from "../src/solver/index.js";
import { generate } from "./generate.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);

interface Row {
  readonly form: string;
  readonly query: string;
  readonly verdict: string;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly targetMs?: number | undefined;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "netpolc-bench-repl-"));
  const g = generate({
    namespaces: 20,
    workloads: 1_000,
    replicas: 10,
    policies: 1_000,
    services: 500,
    seed: 1,
  });
  const input = join(work, "S.yaml");
  writeFileSync(input, g.text);
  let t = performance.now();
  const { session } = await loadSession([input], replOptions({ timeoutMs: 60_000 }));
  const loadMs = performance.now() - t;
  const c = session.state.cluster;
  // Names for the queries: two workloads of one application namespace, a Service, a policy.
  const apps = c.namespaces
    .map((n) => n.name)
    .filter((n) => !["kube-system", "ingress-nginx", "monitoring"].includes(n));
  const ns = apps[0]!;
  const [w1, w2] = c.workloads.filter((w) => w.namespace === ns && w.kind === "Deployment");
  const a = `${w1!.namespace}/${w1!.name}`;
  const b = `${w2!.namespace}/${w2!.name}`;
  const svc = c.services.find((s) => s.namespace === ns && s.ports.length > 0) ?? c.services[0]!;
  const policy = c.policies.find((p) => p.namespace === ns)!;
  const policyFile = join(work, "policy.yaml");
  // A typical change: one workload admits another on one port.
  const labels = (w: typeof w1) => JSON.stringify(c.pods[w!.pods[0]!]!.labels);
  writeFileSync(
    policyFile,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bench-allow\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels: ${labels(w2)}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels: ${labels(w1)}\n      ports:\n        - port: 8080\n`,
  );
  const forms: [string, string, number | undefined][] = [
    ["can (pair, port)", `can ${a} reach ${b} on tcp/8080?`, 50],
    ["can (pair)", `can ${a} reach ${b}`, 50],
    ["can (Service)", `can ${a} reach svc/${svc.namespace}/${svc.name}:${svc.ports[0]!.port}`, 50],
    ["can (external)", `can ${a} reach 8.8.8.8 on tcp/443`, 50],
    ["who can reach", `who can reach ${b}`, 50],
    ["what can reach", `what can ${a} reach`, 50],
    ["why not", `why not ${a} -> ${b} tcp/9999`, 50],
    ["show policies for", `show policies for ${b}`, 50],
    ["show workload", `show workload ${b}`, 50],
    ["show policies", "show policies", 50],
    ["error (unknown name)", `can ${a}x reach ${b}`, 50],
    ["error (syntax)", `can ${a} reach ${b} on tcp/0`, 50],
    ["what if label pod", `what if label pod ${a} bench=1`, 200],
    ["what if label namespace", `what if label namespace ${ns} bench=1`, 200],
    [
      "what if delete networkpolicy",
      `what if delete networkpolicy ${policy.namespace}/${policy.ref.name}`,
      undefined,
    ],
    ["what if apply", `what if apply ${policyFile}`, undefined],
    ["check (solver)", `check deny from not namespace ${ns} to workload ${b} on tcp/5432`, undefined],
    ["can SET (solver)", `can namespace ${apps[1]} reach ${b} on tcp/8080`, undefined],
    ["list", "list", undefined],
  ];
  // Reference: one analysis of the cluster, the floor of any `what if` (which re-analyses).
  const analyzeTimes: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    t = performance.now();
    analyze(c, session.state.options);
    if (i > 0) analyzeTimes.push(performance.now() - t);
  }
  analyzeTimes.sort((x, y) => x - y);
  const analyzeMs = analyzeTimes[Math.floor(analyzeTimes.length / 2)]!;
  // The solver's encoding is made by the first solver query: timed on its own.
  t = performance.now();
  await session.answer(`check deny from external to workload ${b}`);
  const firstSolverMs = performance.now() - t;
  const rows: Row[] = [];
  for (const [form, query, targetMs] of forms) {
    const times: number[] = [];
    let verdict = "";
    for (let i = 0; i <= RUNS; i++) {
      t = performance.now();
      const answer = await session.answer(query);
      const ms = performance.now() - t;
      verdict = answer.verdict;
      if (i > 0) times.push(ms);
      if (query.startsWith("what if") && answer.verdict !== "error") await session.answer("undo");
    }
    times.sort((x, y) => x - y);
    rows.push({
      form,
      query,
      verdict,
      medianMs: times[Math.floor(times.length / 2)]!,
      maxMs: times[times.length - 1]!,
      targetMs,
    });
  }
  console.log(
    `repl-S: ${c.workloads.length} workloads, ${c.pods.length} pods, ${c.policies.length} policies, ${c.services.length} Services; load ${loadMs.toFixed(0)} ms; analyze (reference, median) ${analyzeMs.toFixed(0)} ms; first solver query (z3 start + encoding) ${firstSolverMs.toFixed(0)} ms; ${RUNS} runs per form after one warm-up`,
  );
  for (const r of rows) {
    const status =
      r.targetMs === undefined
        ? ""
        : r.maxMs < r.targetMs
          ? `PASS (< ${r.targetMs} ms)`
          : `FAIL (< ${r.targetMs} ms)`;
    console.log(
      `  ${r.form.padEnd(30)} ${r.verdict.padEnd(8)} median ${r.medianMs.toFixed(1).padStart(8)} ms  max ${r.maxMs.toFixed(1).padStart(8)} ms  ${status}`,
    );
  }
  const out = join(import.meta.dirname, "..", "..", "bench", "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "repl.json"),
    `${JSON.stringify({ loadMs, analyzeMs, firstSolverMs, runs: RUNS, rows }, null, 2)}\n`,
  );
  await shutdownZ3();
}

await main();
