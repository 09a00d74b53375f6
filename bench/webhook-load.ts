/**
 * Admission load on the webhook, shared by the load test (test/webhook/load.test.ts) and the bench
 * (bench/webhook.ts): the synthetic cluster of 1,000 workloads / 1,000 policies (seed 1), guarantees
 * written for its topology, a deterministic mix of AdmissionReview requests, the real HTTPS server
 * in this process (a CA-signed certificate, bench/tls.ts), and a keep-alive client (in a worker
 * thread of its own, bench/load-client.mjs, so it does not share the server's event loop) that sends the
 * requests at a fixed concurrency and times each one.
 *
 * The request mix (one seeded PRNG, so every run sends the same bodies):
 * | class  | share | request                                                                         |
 * |--------|-------|---------------------------------------------------------------------------------|
 * | policy | 60 %  | CREATE of a NetworkPolicy selecting one application (≤ 8 workloads) of one      |
 * |        |       | namespace: ingress from the same application, or egress to it and to DNS;       |
 * |        |       | 80 % dryRun, the others applied (and deleted again later, for real)             |
 * | policy | 20 %  | UPDATE of an existing NetworkPolicy (one more ingress port from the same app)   |
 * | policy | 10 %  | DELETE: of a policy created earlier (applied), or of an existing one (dryRun)  |
 * | policy | 3 %   | a change that breaks a guarantee (dryRun): a database opened to every namespace |
 * |        |       | or to the internet, or the rule admitting checkout-api to its db removed        |
 * | label  | 7 %   | UPDATE of a Namespace's or a Deployment's labels (a cost-center or rollout      |
 * |        |       | label no selector uses), 80 % dryRun                                            |
 */
import { once } from "node:events";
import { existsSync } from "node:fs";
import { Writable } from "node:stream";
import { Worker } from "node:worker_threads";
import { loadAll } from "js-yaml";
import { modelOptions } from "../src/model/index.js";
import { parseGuarantees } from "../src/parser/guarantees/index.js";
import { type GuaranteeFile, type K8sObject, parseText } from "../src/parser/index.js";
import {
  ClusterState,
  jsonLogger,
  Metrics,
  type RunningServer,
  startServer,
  Webhook,
} from "../src/webhook/index.js";
import { type GenerateOptions, generate } from "./generate.js";
import { Rng } from "./prng.js";
import { makeServingPair, type TestCa } from "./tls.js";

type Json = Record<string, unknown>;

export const LOAD_CLUSTER: GenerateOptions = Object.freeze({
  namespaces: 50,
  workloads: 1_000,
  replicas: 10,
  policies: 1_000,
  services: 500,
  adminPolicies: 0,
  baselinePolicies: 0,
  seed: 1,
});

/**
 * Guarantees for LOAD_CLUSTER's topology (namespace and workload names of seed 1). Every one holds
 * there (`netpolc verify` on the generated YAML), so a change is denied only for what it breaks.
 */
export const LOAD_GUARANTEES = `
# A PCI namespace: default deny, and its databases closed to other namespaces.
guarantee billing-prod-isolated: isolated ingress for namespace billing-prod
guarantee billing-prod-db-sealed:
  deny from not namespace billing-prod to existing pods(app.kubernetes.io/component=db) in namespace billing-prod on tcp/5432, tcp/3306
guarantee payments-db-sealed:
  deny from not namespace payments-staging to existing pods(app.kubernetes.io/component=db) in namespace payments-staging on tcp/5432, tcp/3306
guarantee payments-db-not-internet-facing:
  deny from external to existing pods(app.kubernetes.io/component=db) in namespace payments-staging
# Application paths that must keep working.
guarantee quotes-api-reaches-quotes-db:
  allow from workload billing-prod/quotes-api to workload billing-prod/quotes-db on tcp/postgres
guarantee checkout-api-reaches-checkout-db:
  allow from workload growth-staging/checkout-api to workload growth-staging/checkout-db on tcp/mysql
# A default-deny-all namespace talks only to itself, DNS and two remote APIs.
guarantee orders-dev-2-egress: egress of namespace orders-dev-2 within {
  namespace orders-dev-2,
  pods(k8s-app=kube-dns) in namespace kube-system on udp/53, tcp/53,
  pods(app.kubernetes.io/name=cart-api) in namespace search-staging on tcp/http,
  pods(app.kubernetes.io/name=quotes-api) in namespace mobile-prod on tcp/http
}
guarantee ads-dev-not-to-billing-prod: deny from namespace ads-dev to namespace billing-prod
`;

export type RequestClass = "policy" | "label";

export interface LoadRequest {
  readonly uid: string;
  readonly cls: RequestClass;
  /** Meant to break a guarantee (the answer should be a denial). */
  readonly breaking: boolean;
  readonly body: string;
}

export interface LoadCluster {
  readonly objects: readonly K8sObject[];
  /** The same objects as JSON (as the API server sends them in a review). */
  readonly raw: readonly Json[];
  readonly guarantees: GuaranteeFile;
}

export function loadCluster(): LoadCluster {
  const text = generate(LOAD_CLUSTER).text;
  const parsed = parseText(text, "load-cluster.yaml");
  const raw = loadAll(text).filter((d): d is Json => typeof d === "object" && d !== null);
  const g = parseGuarantees(LOAD_GUARANTEES, "load.ng");
  if (g.diagnostics.some((d) => d.severity === "error"))
    throw new Error(`load guarantees: ${g.diagnostics.map((d) => d.message).join("; ")}`);
  return { objects: parsed.objects, raw, guarantees: g.file };
}

const PART_OF = "app.kubernetes.io/part-of";
const PLATFORM = new Set(["kube-system", "ingress-nginx", "monitoring"]);
const API_GROUP: Readonly<Record<string, [string, string]>> = {
  NetworkPolicy: ["networking.k8s.io", "networkpolicies"],
  Namespace: ["", "namespaces"],
  Deployment: ["apps", "deployments"],
};

const meta = (o: Json) => o.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
const clone = <T>(o: T): T => structuredClone(o);

function review(
  uid: string,
  operation: "CREATE" | "UPDATE" | "DELETE",
  kind: string,
  object: Json | undefined,
  old: Json | undefined,
  dryRun: boolean,
): string {
  const [group, resource] = API_GROUP[kind]!;
  const m = meta((object ?? old)!);
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group, version: "v1", kind },
      resource: { group, version: "v1", resource },
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      operation,
      userInfo: { username: "load" },
      object: object ?? null,
      oldObject: old ?? null,
      dryRun,
    },
  });
}

function policy(namespace: string, name: string, app: string, egress: boolean): Json {
  const sameApp = { podSelector: { matchLabels: { [PART_OF]: app } } };
  const spec = egress
    ? {
        podSelector: { matchLabels: { [PART_OF]: app } },
        policyTypes: ["Egress"],
        egress: [
          { to: [sameApp] },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      }
    : {
        podSelector: { matchLabels: { [PART_OF]: app } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [sameApp], ports: [{ protocol: "TCP", port: 8080 }] }],
      };
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

/** A change meant to break a guarantee (see LOAD_GUARANTEES). */
function breaking(rng: Rng, dbs: readonly Json[], appPath: Json, uid: string, i: number): string {
  const db = rng.pick(dbs);
  const { name, namespace } = meta(db);
  const kind = rng.int(3);
  if (kind === 2) {
    // The db keeps its policy (still isolated) but admits no one: checkout-api loses its path.
    // (Deleting the policy would not break it: nothing else isolates the db, which is then open.)
    const closed = clone(appPath);
    (closed.spec as { ingress?: unknown[] }).ingress = [];
    return review(uid, "UPDATE", "NetworkPolicy", closed, appPath, true);
  }
  const from =
    kind === 0 || namespace === "billing-prod"
      ? { namespaceSelector: {} }
      : { ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } };
  const open = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `open-${name}-${i}`, namespace },
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [from] }],
    },
  };
  return review(uid, "CREATE", "NetworkPolicy", open, undefined, true);
}

/** `count` requests, the same for the same seed (the cluster is LOAD_CLUSTER's). */
export function planRequests(raw: readonly Json[], count: number, seed: number): LoadRequest[] {
  const rng = new Rng(seed);
  const ofKind = (k: string) => raw.filter((o) => o.kind === k);
  const current = new Map<string, Json>();
  const key = (o: Json) => `${o.kind}/${meta(o).namespace ?? ""}/${meta(o).name}`;
  for (const o of raw) current.set(key(o), o);
  const namespaces = ofKind("Namespace").filter((n) => !PLATFORM.has(meta(n).name));
  const deployments = ofKind("Deployment").filter((d) => !PLATFORM.has(meta(d).namespace ?? ""));
  const policies = ofKind("NetworkPolicy").filter((p) => !PLATFORM.has(meta(p).namespace ?? ""));
  const apps = [
    ...new Set(
      [...deployments, ...ofKind("StatefulSet")]
        .filter((w) => !PLATFORM.has(meta(w).namespace ?? ""))
        .map((w) => `${meta(w).namespace}/${meta(w).labels?.[PART_OF]}`),
    ),
  ].map((s) => s.split("/") as [string, string]);
  const guarded = new Set(["billing-prod", "payments-staging"]);
  const dbs = ofKind("StatefulSet").filter(
    (s) => guarded.has(meta(s).namespace ?? "") && meta(s).labels?.["app.kubernetes.io/component"] === "db",
  );
  const appPath = current.get("NetworkPolicy/growth-staging/checkout-db-ingress")!;
  const created: Json[] = [];
  const out: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    const uid = `load-${seed}-${i}`;
    const r = rng.next();
    const dryRun = rng.chance(0.8);
    const add = (cls: RequestClass, body: string, isBreaking = false) =>
      out.push({ uid, cls, breaking: isBreaking, body });
    if (r < 0.035) {
      const ns = current.get(key(rng.pick(namespaces)))!;
      const next = clone(ns);
      meta(next).labels = { ...meta(ns).labels, "cost-center": `cc-${i % 7}` };
      if (!dryRun) current.set(key(next), next);
      add("label", review(uid, "UPDATE", "Namespace", next, ns, dryRun));
    } else if (r < 0.07) {
      const d = current.get(key(rng.pick(deployments)))!;
      const next = clone(d);
      const template = (next.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
      template.metadata.labels = { ...template.metadata.labels, rollout: `r${i}` };
      meta(next).labels = { ...meta(d).labels, rollout: `r${i}` };
      if (!dryRun) current.set(key(next), next);
      add("label", review(uid, "UPDATE", "Deployment", next, d, dryRun));
    } else if (r < 0.1) {
      add("policy", breaking(rng, dbs, appPath, uid, i), true);
    } else if (r < 0.3) {
      const p = current.get(key(rng.pick(policies)))!;
      const next = clone(p);
      const spec = next.spec as { ingress?: Json[]; podSelector: Json };
      const app = rng.pick(apps.filter(([ns]) => ns === meta(p).namespace))[1];
      spec.ingress = [
        ...(spec.ingress ?? []),
        {
          from: [{ podSelector: { matchLabels: { [PART_OF]: app } } }],
          ports: [{ protocol: "TCP", port: 8081 }],
        },
      ];
      const real = rng.chance(0.1);
      if (real) current.set(key(next), next);
      add("policy", review(uid, "UPDATE", "NetworkPolicy", next, p, !real));
    } else if (r < 0.4) {
      const mine =
        created.length > 0 && rng.chance(0.6) ? created.splice(rng.int(created.length), 1)[0] : undefined;
      if (mine) add("policy", review(uid, "DELETE", "NetworkPolicy", undefined, mine, false));
      else {
        const p = current.get(key(rng.pick(policies)))!;
        add("policy", review(uid, "DELETE", "NetworkPolicy", undefined, p, true));
      }
    } else {
      const [ns, app] = rng.pick(apps);
      const p = policy(ns, `load-${app}-${i}`, app, rng.chance(0.3));
      if (!dryRun) created.push(p);
      add("policy", review(uid, "CREATE", "NetworkPolicy", p, undefined, dryRun));
    }
  }
  return out;
}

export interface Admission {
  readonly ms: number;
  readonly verdict: string;
  readonly reverified: number;
}

export interface LoadServer {
  readonly server: RunningServer;
  readonly webhook: Webhook;
  readonly metrics: Metrics;
  readonly ca: TestCa;
  /** Log lines at warn or error level. */
  readonly problems: string[];
  /** Per answered review (its log line): the server's own milliseconds, verdict and guarantees re-verified. */
  readonly admissions: Map<string, Admission>;
  /** Milliseconds to verify every guarantee on the whole cluster (the base). */
  readonly baseMs: number;
}

/** The webhook on the cluster (snapshot mode, enforce, failure policy Fail), served over TLS on 127.0.0.1. */
export async function startLoadServer(
  cluster: LoadCluster,
  dir: string,
  options: { deadlineMs?: number } = {},
): Promise<LoadServer> {
  const tls = makeServingPair(dir);
  const problems: string[] = [];
  const admissions = new Map<string, Admission>();
  // Every admission is logged (the JSON is built, as in production) and dropped; warnings are kept.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      const line = String(chunk);
      if (/"level":"(warn|error)"/.test(line)) problems.push(line);
      else if (line.includes('"msg":"admission"')) {
        const a = JSON.parse(line) as { uid: string; ms: number; verdict: string; reverified?: number };
        admissions.set(a.uid, { ms: a.ms, verdict: a.verdict, reverified: a.reverified ?? 0 });
      }
      done();
    },
  });
  const log = jsonLogger(sink, "info");
  const metrics = new Metrics();
  const webhook = new Webhook(
    [cluster.guarantees],
    {
      model: modelOptions({}),
      mode: "enforce",
      failurePolicy: "Fail",
      deadlineMs: options.deadlineMs ?? 5_000,
      source: "snapshot",
    },
    new ClusterState(cluster.objects),
    log,
    metrics,
  );
  const t0 = performance.now();
  await webhook.start();
  const baseMs = performance.now() - t0;
  const server = await startServer(webhook, metrics, log, {
    port: 0,
    address: "127.0.0.1",
    tlsCert: tls.certFile,
    tlsKey: tls.keyFile,
    maxBodyBytes: 3 * 1024 * 1024,
  });
  return { server, webhook, metrics, ca: tls.ca, problems, admissions, baseMs };
}

export interface LoadResult {
  readonly uid: string;
  readonly cls: RequestClass;
  readonly breaking: boolean;
  readonly ms: number;
  readonly status: number;
  /** The answer's `response.uid` equals the request's. */
  readonly uidEchoed: boolean;
  readonly allowed: boolean | undefined;
  /** `response.status.code` of a denial (403 broken, or undecided under failure policy Fail; 422 invalid). */
  readonly code: number | undefined;
  /** The denial names a guarantee the change breaks (not only the failure policy). */
  readonly broke: boolean;
  readonly error: string | undefined;
}

/** What the client measured of one request (bench/load-client.mjs). */
interface Sent {
  readonly uid: string;
  readonly ms: number;
  readonly status: number;
  readonly text: string;
  readonly error?: string | undefined;
}

function resultOf(r: LoadRequest, sent: Sent): LoadResult {
  let error = sent.error;
  let response:
    | { uid?: unknown; allowed?: unknown; status?: { code?: number; message?: string } }
    | undefined;
  try {
    response = (JSON.parse(sent.text) as { response?: typeof response }).response;
  } catch {
    error ??= `not JSON: ${sent.text.slice(0, 80)}`;
  }
  return {
    uid: r.uid,
    cls: r.cls,
    breaking: r.breaking,
    ms: sent.ms,
    status: sent.status,
    uidEchoed: response?.uid === r.uid,
    allowed: typeof response?.allowed === "boolean" ? response.allowed : undefined,
    code: response?.status?.code,
    broke: response?.status?.message?.includes("this change breaks guarantee") === true,
    error,
  };
}

/** bench/load-client.mjs, beside this file (unbuilt) or in the source tree (built into dist/). */
function clientScript(): URL {
  const here = new URL("./load-client.mjs", import.meta.url);
  return existsSync(here) ? here : new URL("../../bench/load-client.mjs", import.meta.url);
}

/**
 * Sends the requests, `concurrency` at a time, over one keep-alive agent that trusts only `ca`, from
 * a worker thread (bench/load-client.mjs): like the API server, the client does not share the
 * webhook's event loop, and each request is timed there, from its start to its answer's last byte.
 */
export async function sendAll(
  requests: readonly LoadRequest[],
  port: number,
  ca: TestCa,
  concurrency: number,
): Promise<LoadResult[]> {
  const worker = new Worker(clientScript(), {
    workerData: {
      requests: requests.map((r) => ({ uid: r.uid, body: r.body })),
      port,
      ca: ca.cert,
      concurrency,
    },
  });
  try {
    const [sent] = (await once(worker, "message")) as [Sent[]];
    return sent.map((s, i) => resultOf(requests[i]!, s));
  } finally {
    await worker.terminate();
  }
}

export interface LatencyRow {
  readonly label: string;
  readonly requests: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function isError(r: LoadResult): boolean {
  return r.error !== undefined || r.status !== 200 || !r.uidEchoed || r.allowed === undefined;
}

function row(label: string, results: readonly LoadResult[]): LatencyRow {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    label,
    requests: results.length,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: ms.at(-1) ?? Number.NaN,
    errors: results.filter(isError).length,
  };
}

/** Answers by verdict, as the server logged them (allowed, denied, undecided, …). */
export function verdictCounts(admissions: ReadonlyMap<string, Admission>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of admissions.values()) out[a.verdict] = (out[a.verdict] ?? 0) + 1;
  return out;
}

/** The server's own milliseconds (from the body read to the answer) of these results, as a row. */
export function serverRow(
  results: readonly LoadResult[],
  admissions: ReadonlyMap<string, Admission>,
): LatencyRow {
  const ms = results
    .map((r) => admissions.get(r.uid)?.ms)
    .filter((m): m is number => m !== undefined)
    .sort((a, b) => a - b);
  return {
    label: "all, as the server timed them",
    requests: ms.length,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: ms.at(-1) ?? Number.NaN,
    errors: results.filter(isError).length,
  };
}

/**
 * Latency by class: policy changes, label changes, then the denials of either class — for a broken
 * guarantee, or undecided in time (denied by failure policy Fail) — and all.
 */
export function latencyRows(results: readonly LoadResult[]): LatencyRow[] {
  return [
    row(
      "policy change (one app, ≤ 50 workloads)",
      results.filter((r) => r.cls === "policy"),
    ),
    row(
      "namespace/workload label change",
      results.filter((r) => r.cls === "label"),
    ),
    row(
      "denied: breaks a guarantee",
      results.filter((r) => r.allowed === false && r.broke),
    ),
    row(
      "denied: undecided (failure policy)",
      results.filter((r) => r.allowed === false && !r.broke),
    ),
    row("all", results),
  ];
}

export function formatRows(rows: readonly LatencyRow[]): string {
  const head = ["class", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"];
  const body = rows.map((r) => [
    r.label,
    String(r.requests),
    ...[r.p50, r.p90, r.p99, r.max].map((v) => (Number.isNaN(v) ? "-" : v.toFixed(1))),
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
