/**
 * The webhook's logic on the demo shop (fixtures/demo), snapshot mode, without the transport:
 * AdmissionReview bodies in, answers out. A policy that opens payments-api to every pod is denied
 * with a counterexample; a harmless policy is allowed; dryRun does not change the state; an
 * admitted change does; warn and audit modes allow what enforce denies.
 */
import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { ClusterState, jsonLogger, Metrics, type Mode, Webhook } from "../../src/webhook/index.js";

afterAll(shutdownZ3);

const openPayments = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "open-payments", namespace: "payments" },
  spec: {
    podSelector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: {} }] }],
  },
};

const harmless = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "deny-all-monitoring", namespace: "monitoring" },
  spec: { podSelector: {}, policyTypes: ["Ingress"] },
};

function review(uid: string, object: unknown, extra: Record<string, unknown> = {}) {
  const o = object as { kind: string; metadata: { name: string; namespace?: string } };
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "networking.k8s.io", version: "v1", kind: o.kind },
      resource: { group: "networking.k8s.io", version: "v1", resource: "networkpolicies" },
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      operation: "CREATE",
      object,
      ...extra,
    },
  });
}

async function webhook(mode: Mode): Promise<{ w: Webhook; logs: string[] }> {
  const text = await readFile("fixtures/demo/guarantees.ng", "utf8");
  const g = parseGuarantees(text, "fixtures/demo/guarantees.ng");
  const loaded = await loadPaths(["fixtures/demo"]);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const w = new Webhook(
    [g.file],
    { model: modelOptions({}), mode, failurePolicy: "Fail", deadlineMs: 20_000, source: "snapshot" },
    new ClusterState(loaded.objects),
    jsonLogger(sink, "debug"),
    new Metrics(),
  );
  await w.start();
  return { w, logs };
}

type Body = {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
  };
};

describe("webhook (snapshot mode)", () => {
  let enforce: Awaited<ReturnType<typeof webhook>>;
  beforeAll(async () => {
    enforce = await webhook("enforce");
  }, 120_000);

  it("denies a policy that opens payments-api, with the guarantee and a counterexample", async () => {
    const r = await enforce.w.handle(review("u-1", openPayments));
    expect(r.status).toBe(200);
    const b = r.body as Body;
    expect(b.response.uid).toBe("u-1");
    expect(b.response.allowed).toBe(false);
    expect(b.response.status?.code).toBe(403);
    expect(b.response.status?.message).toContain("payments-api-only-from-backend");
    expect(b.response.status?.message).toContain("counterexample");
    expect(b.response.status?.message).toContain("open-payments");
    if (process.env.SHOW) console.log(JSON.stringify(b, null, 1), enforce.logs.slice(-2).join(""));
  }, 60_000);

  it("allows a harmless policy, and re-verifies only what it touches", async () => {
    const r = await enforce.w.handle(review("u-2", harmless, { dryRun: true }));
    const b = r.body as Body;
    expect(b.response.allowed).toBe(true);
    const log = enforce.logs.map((l) => JSON.parse(l)).find((l) => l.uid === "u-2");
    expect(log.verdict).toMatch(/allowed|warned/);
    expect(log.reverified).toBeLessThan(enforce.w.evaluator.guarantees.length);
  }, 60_000);

  it("dryRun leaves the state alone; an admitted change moves it", async () => {
    const v0 = enforce.w.evaluator.current!.version;
    await enforce.w.handle(review("u-3", harmless, { dryRun: true }));
    await enforce.w.settled();
    expect(enforce.w.evaluator.current!.version).toBe(v0);
    expect(enforce.w.evaluator.current!.objects.has("NetworkPolicy/monitoring/deny-all-monitoring")).toBe(
      false,
    );
    await enforce.w.handle(review("u-4", harmless));
    await enforce.w.settled();
    expect(enforce.w.evaluator.current!.version).toBeGreaterThan(v0);
    expect(enforce.w.evaluator.current!.objects.has("NetworkPolicy/monitoring/deny-all-monitoring")).toBe(
      true,
    );
  }, 60_000);

  it("warn mode allows the breaking change with a warning; audit mode allows it with annotations", async () => {
    const warn = await webhook("warn");
    const w = (await warn.w.handle(review("u-5", openPayments))).body as Body & {
      response: { auditAnnotations?: Record<string, string> };
    };
    expect(w.response.allowed).toBe(true);
    expect(w.response.warnings?.join("\n")).toContain("payments-api-only-from-backend");
    const audit = await webhook("audit");
    const a = (await audit.w.handle(review("u-6", openPayments))).body as Body & {
      response: { auditAnnotations?: Record<string, string> };
    };
    expect(a.response.allowed).toBe(true);
    expect(a.response.auditAnnotations?.["netpolc.dev/broken"]).toContain("payments-api-only-from-backend");
  }, 120_000);
});
