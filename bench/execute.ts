/**
 * Runs one scenario through the real pipeline (YAML text → parser → model → engine → listing) and
 * measures each phase. Runs inside a child process of `run.ts`, one scenario per process, so that
 * peak RSS belongs to the scenario alone.
 */
import {
  type Analysis,
  analyze,
  buildCluster,
  EMPTY_ID,
  explainPair,
  formatConn,
  formatPeer,
  listConnections,
} from "../src/model/index.js";
import { parseText } from "../src/parser/index.js";
import { generate } from "./generate.js";
import { type PhaseSample, phase } from "./measure.js";
import { Rng } from "./prng.js";
import type { Scenario } from "./scenarios.js";
import { type EndpointCounts, resolveAllEndpoints, serviceQueries } from "./services.js";

export const POINT_QUERIES = 10_000;
export const EXPLAIN_PAIRS = 1000;

export type PhaseName =
  | "generate"
  | "parse"
  | "build"
  | "analyze"
  | "point"
  | "list"
  | "format"
  | "reach"
  | "explain"
  | "endpoints"
  | "serviceQueries";

export interface ScenarioResult {
  readonly name: string;
  readonly series: Scenario["series"];
  readonly size: Scenario["size"];
  readonly counts: {
    yamlBytes: number;
    documents: number;
    namespaces: number;
    workloads: number;
    pods: number;
    policies: number;
    /** Admin and Baseline tier policies in the model. */
    clusterPolicies: number;
    services: number;
    classes: number;
    atoms: number;
    connSets: number;
  };
  readonly diagnostics: { errors: number; warnings: number; infos: number; firstError?: string };
  readonly phases: Partial<Record<PhaseName, PhaseSample>>;
  /** Average time of one `connId` call over random endpoint pairs, in microseconds. */
  readonly pointQueryMicros: number;
  /** Average time of one `explainPair` call over random class pairs, in milliseconds. */
  readonly explainPairMs?: number;
  /** S-services: what endpoint resolution found, and one `reachService` call's average time. */
  readonly services?: EndpointCounts & { readonly queryMs: number; readonly queries: number };
  readonly listing?: { connections: number; lines: number; bytes: number };
  readonly reach?: { pairs: number; nonEmpty: number };
}

export function execute(s: Scenario, repeat = 1): ScenarioResult {
  const samples: Partial<Record<PhaseName, PhaseSample[]>> = {};
  const run: Runner = (name, fn) => {
    const { value, sample } = phase(fn);
    const list = samples[name] ?? [];
    list.push(sample);
    samples[name] = list;
    return value;
  };
  // 1. Generate once (not part of any target).
  const generated = run("generate", () => generate(s.size));
  const { text } = generated;
  // 2. The pipeline, `repeat` times over the same text; each phase keeps its fastest run.
  let last: PipelineResult | undefined;
  const points: number[] = [];
  const explains: number[] = [];
  const serviceQueryMs: number[] = [];
  for (let i = 0; i < repeat; i++) {
    last = pipeline(s, text, run);
    points.push(last.pointQueryMicros);
    if (last.explainPairMs !== undefined) explains.push(last.explainPairMs);
    if (last.services) serviceQueryMs.push(last.services.queryMs);
  }
  const r = last!;
  return {
    name: s.name,
    series: s.series,
    size: s.size,
    counts: {
      yamlBytes: Buffer.byteLength(text),
      documents: generated.counts.documents,
      services: generated.counts.services,
      ...r.counts,
    },
    diagnostics: r.diagnostics,
    phases: fastest(samples),
    pointQueryMicros: Math.min(...points),
    ...(explains.length > 0 ? { explainPairMs: Math.min(...explains) } : {}),
    ...(r.services ? { services: { ...r.services, queryMs: Math.min(...serviceQueryMs) } } : {}),
    ...(r.listing ? { listing: r.listing } : {}),
    ...(r.reach ? { reach: r.reach } : {}),
  };
}

type Runner = <T>(name: PhaseName, fn: () => T) => T;

type PipelineResult = Pick<
  ScenarioResult,
  "diagnostics" | "pointQueryMicros" | "explainPairMs" | "listing" | "reach" | "services"
> & {
  counts: Omit<ScenarioResult["counts"], "yamlBytes" | "documents" | "services">;
};

function pipeline(s: Scenario, text: string, run: Runner): PipelineResult {
  // 1. Parse; the text's objects go to the model and the parse result is dropped, as in the CLI.
  let parsed: ReturnType<typeof parseText> | undefined = run("parse", () =>
    parseText(text, "synthetic.yaml"),
  );
  const diagnostics = summarize(parsed.diagnostics);
  const objects = parsed.objects;
  parsed = undefined;
  // 2. Model, then engine.
  const { cluster } = run("build", () => buildCluster(objects));
  const a = run("analyze", () => analyze(cluster));
  // 3. Point queries over random endpoint pairs (classes and address atoms), right after analysis.
  const pointMs = run("point", () => pointQueries(a, s.size.seed)).ms;
  // 4. Listing at workload granularity, formatted as connlist lines.
  let listing: ScenarioResult["listing"];
  if (s.list) {
    const conns = run("list", () => listConnections(a, { granularity: "workload" }));
    const out = run("format", () =>
      conns.map((c) => `${formatPeer(c.src)} => ${formatPeer(c.dst)} : ${formatConn(c.conn)}`).join("\n"),
    );
    listing = { connections: conns.length, lines: conns.length, bytes: out.length };
  }
  // 5. Class-level reachability: every ordered pair of classes.
  const reach = s.reach ? run("reach", () => allClassPairs(a)) : undefined;
  // 6. Explanations of random class pairs: which tier, policy and rule decided each part.
  const explainMs = s.explain ? run("explain", () => explainPairs(a, s.size.seed)).ms : undefined;
  // 7. Services: endpoints of every Service, then Service queries over random pairs.
  let services: PipelineResult["services"];
  if (s.services) {
    const counts = run("endpoints", () => resolveAllEndpoints(a));
    const q = run("serviceQueries", () => serviceQueries(a, s.size.seed));
    services = { ...counts, queries: q.answered, queryMs: q.ms / Math.max(1, q.answered) };
  }
  return {
    counts: {
      namespaces: cluster.namespaces.length,
      workloads: cluster.workloads.length,
      pods: cluster.pods.length,
      policies: cluster.policies.length,
      clusterPolicies: cluster.clusterPolicies.length,
      classes: a.classCount,
      atoms: a.space.atoms.length,
      connSets: a.conns.size,
    },
    diagnostics,
    pointQueryMicros: (pointMs * 1000) / POINT_QUERIES,
    ...(explainMs !== undefined ? { explainPairMs: explainMs / EXPLAIN_PAIRS } : {}),
    ...(services ? { services } : {}),
    ...(listing ? { listing } : {}),
    ...(reach ? { reach } : {}),
  };
}

/** Per phase, the fastest run's figures, with the process's peak RSS over all runs. */
function fastest(
  samples: Partial<Record<PhaseName, PhaseSample[]>>,
): Partial<Record<PhaseName, PhaseSample>> {
  const out: Partial<Record<PhaseName, PhaseSample>> = {};
  for (const [name, list] of Object.entries(samples) as [PhaseName, PhaseSample[]][]) {
    const best = list.reduce((x, y) => (y.ms < x.ms ? y : x));
    out[name] = { ...best, rssPeakMB: Math.max(...list.map((x) => x.rssPeakMB)), runs: list.length };
  }
  return out;
}

function summarize(
  ds: readonly { severity: string; code: string; message: string }[],
): ScenarioResult["diagnostics"] {
  const count = (sev: string) => ds.filter((d) => d.severity === sev).length;
  const first = ds.find((d) => d.severity === "error");
  return {
    errors: count("error"),
    warnings: count("warning"),
    infos: count("info"),
    ...(first ? { firstError: `${first.code} ${first.message}` } : {}),
  };
}

/** Runs the queries and returns a checksum so the calls cannot be optimised away. */
function pointQueries(a: Analysis, seed: number): { ms: number; checksum: number } {
  const n = a.classCount + a.space.atoms.length;
  const rng = new Rng(seed ^ 0x5eed);
  const pairs = new Int32Array(2 * POINT_QUERIES);
  for (let i = 0; i < pairs.length; i++) pairs[i] = rng.int(n);
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < POINT_QUERIES; i++) checksum += a.connId(pairs[2 * i]!, pairs[2 * i + 1]!);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, checksum };
}

/** `explainPair` over random (source class, destination class) pairs; the checksum counts steps. */
function explainPairs(a: Analysis, seed: number): { ms: number; checksum: number } {
  const rng = new Rng(seed ^ 0xe4a1);
  const pairs = new Int32Array(2 * EXPLAIN_PAIRS);
  for (let i = 0; i < pairs.length; i++) pairs[i] = rng.int(a.classCount);
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < EXPLAIN_PAIRS; i++) {
    const e = explainPair(a, pairs[2 * i]!, pairs[2 * i + 1]!);
    checksum += e.egress.steps.length + e.ingress.steps.length;
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, checksum };
}

function allClassPairs(a: Analysis): { pairs: number; nonEmpty: number } {
  const K = a.classCount;
  let nonEmpty = 0;
  const row = new Int32Array(K);
  for (let s = 0; s < K; s++) {
    a.rowInto(s, row);
    for (let d = 0; d < K; d++) if (row[d] !== EMPTY_ID) nonEmpty++;
  }
  return { pairs: K * K, nonEmpty };
}
