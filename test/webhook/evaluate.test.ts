/**
 * The webhook's incremental evaluation (src/webhook/evaluate.ts) against verification from scratch:
 * on the demo shop (fixtures/demo), each change below is evaluated on the base — with every shortcut
 * the evaluator takes (untouched guarantees kept, inert relabels, restricted claims, the search among
 * existing endpoints, claims decided without z3, destinations' ingress) — and every guarantee's verdict
 * after it must equal `verifyGuarantees` on the whole changed cluster. The changes: every demo
 * NetworkPolicy deleted; policies created that open payments-api (to every namespace, to a namespace
 * that does not exist yet), the database (to the internet) or nothing relevant; Deployment and
 * Namespace relabels under keys no selector mentions (inert: nothing re-verified, and the adopted base
 * has the new labels) and under keys that count.
 */

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCluster, modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { type GuaranteeFile, type K8sObject, loadPaths, parseText } from "../../src/parser/index.js";
import { shutdownZ3, verifyGuarantees } from "../../src/solver/index.js";
import { type Change, Evaluator, keyOfObject } from "../../src/webhook/index.js";

afterAll(shutdownZ3);

const MODEL = modelOptions({});
let objects: K8sObject[];
let file: GuaranteeFile;

beforeAll(async () => {
  objects = [...(await loadPaths(["fixtures/demo"])).objects];
  const g = parseGuarantees(readFileSync("fixtures/demo/guarantees.ng", "utf8"), "guarantees.ng");
  file = g.file;
});

/** A K8sObject from plain JSON (as a review carries it). */
function object(json: unknown): K8sObject {
  const parsed = parseText(JSON.stringify(json), "change.json");
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return parsed.objects[0]!;
}

/** An object's JSON without the parser's positions, to edit. */
function plain(o: K8sObject): Record<string, unknown> {
  return JSON.parse(JSON.stringify(o, (k, v) => (k === "source" || k === "locate" ? undefined : v)));
}

const find = (kind: string, ns: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns)!;

function policy(name: string, namespace: string, podSelector: object, ingress: object[]): K8sObject {
  return object({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: { podSelector, policyTypes: ["Ingress"], ingress },
  });
}

function relabelTemplate(kind: string, ns: string, name: string, labels: Record<string, string>): Change {
  const old = find(kind, ns, name);
  const next = plain(old) as {
    metadata: { labels?: Record<string, string>; resourceVersion?: string };
    spec: { template: { metadata: { labels: Record<string, string> } } };
  };
  next.metadata.labels = { ...next.metadata.labels, ...labels };
  next.metadata.resourceVersion = "42";
  next.spec.template.metadata.labels = { ...next.spec.template.metadata.labels, ...labels };
  return { op: "upsert", object: object(next), old };
}

function relabelNamespace(name: string, labels: Record<string, string>): Change {
  const old = find("Namespace", undefined, name);
  const next = plain(old) as { metadata: { labels?: Record<string, string> } };
  next.metadata.labels = { ...next.metadata.labels, ...labels };
  return { op: "upsert", object: object(next), old };
}

/** The objects after a change. */
function objectsAfter(change: Change): K8sObject[] {
  const map = new Map(objects.map((o) => [keyOfObject(o), o]));
  if (change.op === "delete") map.delete(keyOfObject(change.old));
  else {
    if (change.old) map.delete(keyOfObject(change.old));
    map.set(keyOfObject(change.object), change.object);
  }
  return [...map.values()];
}

async function wholeVerdicts(objs: readonly K8sObject[]): Promise<Record<string, string>> {
  const { cluster } = buildCluster(objs);
  const report = await verifyGuarantees(cluster, MODEL, [file], { timeoutMs: 60_000 });
  return Object.fromEntries(report.results.map((r) => [r.guarantee.name, r.verdict]));
}

describe("incremental evaluation equals verification from scratch", () => {
  const changes: [string, () => Change][] = [
    [
      "a policy opening payments-api to every namespace",
      () => ({
        op: "upsert",
        object: policy("open", "payments", { matchLabels: { "app.kubernetes.io/name": "payments-api" } }, [
          { from: [{ namespaceSelector: {} }] },
        ]),
      }),
    ],
    [
      "a policy opening payments-api to a namespace that does not exist yet",
      () => ({
        op: "upsert",
        object: policy(
          "partners",
          "payments",
          { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
          [{ from: [{ namespaceSelector: { matchLabels: { team: "partners" } } }] }],
        ),
      }),
    ],
    [
      "a policy opening the database to the internet",
      () => ({
        op: "upsert",
        object: policy("db-open", "backend", { matchLabels: { "app.kubernetes.io/name": "db" } }, [
          { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] },
        ]),
      }),
    ],
    [
      "a policy admitting backend to payments-api (within the guarantee)",
      () => ({
        op: "upsert",
        object: policy(
          "from-backend",
          "payments",
          { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
          [
            {
              from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "backend" } } }],
            },
          ],
        ),
      }),
    ],
    [
      "a Deployment relabelled under a key no selector mentions",
      () => relabelTemplate("Deployment", "backend", "api", { rollout: "r7" }),
    ],
    [
      "a Deployment relabelled under a key that counts",
      () => relabelTemplate("Deployment", "backend", "api", { "k8s-app": "kube-dns" }),
    ],
    [
      "a Namespace relabelled under a key no selector mentions",
      () => relabelNamespace("backend", { owner: "x" }),
    ],
    ["a Namespace relabelled under a key that counts", () => relabelNamespace("backend", { team: "shop" })],
  ];

  it.each(changes)("%s", async (_name, make) => {
    const change = make();
    const ev = new Evaluator([file], { model: MODEL, timeoutMs: 60_000 });
    await ev.reset(objects);
    const e = await ev.evaluate(change, Number.POSITIVE_INFINITY);
    expect(e.complete).toBe(true);
    const incremental = Object.fromEntries(e.outcomes.map((o) => [o.guarantee.name, o.after.verdict]));
    expect(incremental).toEqual(await wholeVerdicts(objectsAfter(change)));
    for (const o of e.broken) {
      expect(o.after.counterexample?.replayed).toBe(true);
    }
  });

  it("deleting any demo NetworkPolicy", async () => {
    const ev = new Evaluator([file], { model: MODEL, timeoutMs: 60_000 });
    await ev.reset(objects);
    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
    expect(policies.length).toBeGreaterThan(5);
    let reverified = 0;
    for (const old of policies) {
      const change: Change = { op: "delete", old };
      const e = await ev.evaluate(change, Number.POSITIVE_INFINITY);
      reverified += e.reverified;
      const incremental = Object.fromEntries(e.outcomes.map((o) => [o.guarantee.name, o.after.verdict]));
      expect(incremental, `delete ${keyOfObject(old)}`).toEqual(await wholeVerdicts(objectsAfter(change)));
    }
    expect(reverified).toBeGreaterThan(0);
  }, 120_000);

  it("an inert relabel re-verifies nothing, and the adopted base has the new labels", async () => {
    const ev = new Evaluator([file], { model: MODEL, timeoutMs: 60_000 });
    await ev.reset(objects);
    const change = relabelTemplate("Deployment", "backend", "api", { rollout: "r8" });
    const e = await ev.evaluate(change, Number.POSITIVE_INFINITY);
    expect(e.reverified).toBe(0);
    expect(ev.adopt(e)).toBe(true);
    const pods = ev.current!.cluster.pods.filter(
      (p) => p.workload.name === "api" && p.namespace === "backend",
    );
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect(p.labels.rollout).toBe("r8");
    expect(ev.current!.objects.get(keyOfObject(change.op === "upsert" ? change.object : change.old))).toBe(
      change.op === "upsert" ? change.object : undefined,
    );
  });
});
