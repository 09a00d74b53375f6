/**
 * Solver benchmark (`npm run bench` runs it after the engine scenarios; alone:
 * `node dist/bench/solver.js [--only S,L]`): z3 start-up, encoding of the policies, and ten typical
 * guarantees decided one by one, on the synthetic clusters of 1,000 workloads / 1,000 policies (S)
 * and 10,000 workloads with 1,000 (L) and 10,000 (XL) policies. Writes bench/out/solver.json.
 * Targets (solver issue): S encoding < 2 s, each guarantee < 2 s; L and XL figures reported.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { analyze, buildCluster, modelOptions } from "../src/model/index.js";
import { parseGuarantees } from "../src/parser/guarantees/index.js";
import { parseText } from "../src/parser/index.js";
import { shutdownZ3, Verifier, z3, z3StartupMs } from "../src/solver/index.js";
import { generate } from "./generate.js";

const SIZES = {
  S: { namespaces: 20, workloads: 1_000, replicas: 10, policies: 1_000, services: 500 },
  L: { namespaces: 100, workloads: 10_000, replicas: 10, policies: 1_000, services: 2_000 },
  XL: { namespaces: 100, workloads: 10_000, replicas: 10, policies: 10_000, services: 2_000 },
} as const;

const { values } = parseArgs({
  options: {
    only: { type: "string", default: "S,L,XL" },
    timeout: { type: "string", default: "60000" },
    child: { type: "string" },
    out: { type: "string" },
  },
});

function guaranteesFor(
  namespaces: readonly string[],
  workloads: readonly { namespace: string; name: string }[],
): string {
  const [a, b] = namespaces;
  const inA = workloads.filter((w) => w.namespace === a);
  const [wa, wb] = [inA[0]!, inA[1] ?? inA[0]!];
  return `
guarantee g1-isolated-ingress: isolated ingress for namespace ${a}
guarantee g2-isolated-everywhere: isolated both for any pod
guarantee g3-no-external-db: deny from external to namespace ${a} on tcp/5432
guarantee g4-sealed-workload: deny from not namespace ${a} to workload ${wa.namespace}/${wa.name}
guarantee g5-app-path: allow from workload ${wa.namespace}/${wa.name} to workload ${wb.namespace}/${wb.name} on tcp/8080
guarantee g6-egress-within: egress of namespace ${a} within { namespace ${a}, kube-system/coredns on udp/53, tcp/53 }
guarantee g7-cross-namespace: deny from namespace ${b} to namespace ${a}
guarantee g8-low-ports: deny from any pod to pods(app.kubernetes.io/component=db) in namespace ${a} on tcp/1-1024
guarantee g9-monitoring: allow from existing namespace monitoring to namespace ${a} on tcp/9090
guarantee g10-dns-open: deny from anything to namespace kube-system on udp/53
`;
}

interface Figures {
  readonly scenario: string;
  readonly workloads: number;
  readonly pods: number;
  readonly policies: number;
  readonly classes: number;
  readonly analyzeMs: number;
  readonly encodeMs: number;
  readonly guarantees: readonly { name: string; verdict: string; ms: number }[];
}

async function run(name: keyof typeof SIZES): Promise<Figures> {
  const g = generate({ ...SIZES[name], seed: 1 });
  const parsed = parseText(g.text, `${name}.yaml`);
  const { cluster } = buildCluster(parsed.objects);
  const options = modelOptions({});
  let t = performance.now();
  const analysis = analyze(cluster, options);
  const analyzeMs = performance.now() - t;
  const apps = cluster.namespaces
    .map((n) => n.name)
    .filter((n) => !["kube-system", "ingress-nginx", "monitoring"].includes(n));
  const text = guaranteesFor(apps, cluster.workloads);
  const file = parseGuarantees(text, "bench.ng").file;
  t = performance.now();
  const v = await Verifier.create(cluster, options, [file], { timeoutMs: Number(values.timeout) }, analysis);
  const encodeMs = performance.now() - t;
  const guarantees = [];
  console.log(`solver-${name}: encoded in ${encodeMs.toFixed(0)} ms (analyze ${analyzeMs.toFixed(0)} ms)`);
  for (const gt of file.guarantees) {
    const r = await v.verify(gt);
    guarantees.push({ name: gt.name, verdict: r.verdict, ms: r.ms });
    // Streamed, so a scenario that exhausts z3's heap still reports what it decided.
    console.log(
      `  … ${gt.name} ${r.verdict} ${r.ms.toFixed(0)} ms, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
  }
  return {
    scenario: name,
    workloads: g.counts.workloads,
    pods: g.counts.pods,
    policies: g.counts.policies,
    classes: analysis.classCount,
    analyzeMs,
    encodeMs,
    guarantees,
  };
}

/** One scenario in this process (the child of `main`): prints its lines and writes its JSON. */
async function child(name: keyof typeof SIZES, out: string): Promise<void> {
  await z3();
  const startup = z3StartupMs();
  const f = await run(name);
  const worst = Math.max(...f.guarantees.map((x) => x.ms));
  console.log(
    `solver-${name}: ${f.workloads} workloads, ${f.pods} pods, ${f.policies} policies, ${f.classes} classes; z3 start-up ${startup.toFixed(0)} ms, analyze ${f.analyzeMs.toFixed(0)} ms, encode ${f.encodeMs.toFixed(0)} ms, slowest guarantee ${worst.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  for (const x of f.guarantees)
    console.log(`  ${x.name.padEnd(24)} ${x.verdict.padEnd(8)} ${x.ms.toFixed(0).padStart(7)} ms`);
  if (name === "S")
    console.log(
      `  targets: encode < 2000 ms ${f.encodeMs < 2000 ? "PASS" : "FAIL"}; every guarantee < 2000 ms ${worst < 2000 ? "PASS" : "FAIL"}`,
    );
  writeFileSync(out, JSON.stringify({ z3StartupMs: startup, ...f }));
  await shutdownZ3();
}

/** Each scenario in a fresh process: z3's wasm heap (at most 2 GiB) is the scenario's own. */
function main(): void {
  const dir = join(import.meta.dirname, "..", "..", "bench", "out");
  mkdirSync(dir, { recursive: true });
  const results: unknown[] = [];
  for (const name of values.only!.split(",").map((s) => s.trim())) {
    if (!(name in SIZES)) throw new Error(`unknown solver scenario ${name} (S, L, XL)`);
    const out = join(dir, `solver-${name}.json`);
    try {
      execFileSync(
        process.execPath,
        [process.argv[1]!, "--child", name, "--out", out, "--timeout", values.timeout!],
        {
          stdio: "inherit",
        },
      );
      results.push(JSON.parse(readFileSync(out, "utf8")));
    } catch (e) {
      console.log(`solver-${name}: failed (${(e as Error).message.split("\n")[0]})`);
      results.push({ scenario: name, failed: true });
    }
  }
  writeFileSync(join(dir, "solver.json"), `${JSON.stringify(results, null, 2)}\n`);
}

if (values.child) await child(values.child as keyof typeof SIZES, values.out!);
else main();
