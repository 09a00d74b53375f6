/**
 * The webhook in live mode, end to end: the demo shop (fixtures/demo) is served by the fake API
 * server (real list/watch protocol, test/support/fake-apiserver.ts), client-node informers fill the
 * state, and the webhook judges requests against the state the watches deliver. A policy created
 * on the API server behind the webhook's back (as if admitted before it ran) moves the base: the
 * guarantee it breaks then fails in the base, later requests get a warning instead of a denial,
 * and deleting the policy makes the guarantee hold again.
 */

import { mkdtempSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { ClusterState, jsonLogger, Metrics, Webhook } from "../../src/webhook/index.js";
import { type LiveSync, loadKubeConfig, startLiveSync } from "../../src/webhook/live.js";
import { type FakeApiServer, startFakeApiServer } from "../support/fake-apiserver.js";

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

function review(uid: string, object: Record<string, unknown>) {
  const meta = object.metadata as { name: string; namespace: string };
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
      name: meta.name,
      namespace: meta.namespace,
      operation: "CREATE",
      dryRun: true,
      object,
    },
  });
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Body = {
  response: { uid: string; allowed: boolean; status?: { message: string }; warnings?: string[] };
};

describe("webhook in live mode (fake API server, real watch protocol)", () => {
  let api: FakeApiServer;
  let sync: LiveSync;
  let webhook: Webhook;
  const guarantee = "payments-api-only-from-backend";

  beforeAll(async () => {
    api = await startFakeApiServer({ tls: true });
    const dir = "fixtures/demo";
    const files = [
      ...(await readdir(dir)).map((f) => join(dir, f)),
      ...(await readdir(join(dir, "policies"))).map((f) => join(dir, "policies", f)),
    ].filter((f) => f.endsWith(".yaml"));
    for (const f of files)
      for (const doc of loadAll(await readFile(f, "utf8")))
        if (doc && typeof doc === "object") api.create(doc as Record<string, unknown>);
    const kc = loadKubeConfig({ kubeconfig: api.kubeconfig(mkdtempSync(join(tmpdir(), "netpolc-live-"))) });
    const state = new ClusterState();
    sync = startLiveSync(kc, state, () => {});
    await sync.synced;
    const g = parseGuarantees(await readFile(join(dir, "guarantees.ng"), "utf8"), "guarantees.ng");
    webhook = new Webhook(
      [g.file],
      { model: modelOptions({}), mode: "enforce", failurePolicy: "Fail", deadlineMs: 20_000, source: "live" },
      state,
      jsonLogger(new Writable({ write: (_c, _e, cb) => cb() }), "error"),
      new Metrics(),
    );
    await webhook.start();
  }, 120_000);

  afterAll(async () => {
    await sync?.stop();
    await api?.close();
    await shutdownZ3();
  });

  const verdict = () =>
    [...webhook.evaluator.current!.verdicts.values()].find((r) => r.guarantee.name === guarantee)!.verdict;

  it("judges requests against the watched state", async () => {
    expect(webhook.ready).toBe(true);
    expect(verdict()).toBe("holds");
    const b = (await webhook.handle(review("live-1", openPayments))).body as Body;
    expect(b.response.uid).toBe("live-1");
    expect(b.response.allowed).toBe(false);
    expect(b.response.status?.message).toContain(guarantee);
    // Live mode: an admitted request does not change the state, the watch does.
    expect(webhook.evaluator.current!.objects.has("NetworkPolicy/payments/open-payments")).toBe(false);
  }, 60_000);

  it("follows a policy created and deleted on the API server", async () => {
    api.create(openPayments);
    await until("the watched policy in the base", () =>
      webhook.evaluator.current!.objects.has("NetworkPolicy/payments/open-payments"),
    );
    await webhook.settled();
    expect(verdict()).toBe("fails");
    // The guarantee already fails: a request that does not cause it gets a warning, not a denial.
    const again = { ...openPayments, metadata: { name: "open-payments-2", namespace: "payments" } };
    const b = (await webhook.handle(review("live-2", again))).body as Body;
    expect(b.response.allowed).toBe(true);
    expect(b.response.warnings?.join("\n")).toContain(`${guarantee} already fails`);
    api.delete("NetworkPolicy", "payments", "open-payments");
    await until(
      "the deletion in the base",
      () => !webhook.evaluator.current!.objects.has("NetworkPolicy/payments/open-payments"),
    );
    await webhook.settled();
    expect(verdict()).toBe("holds");
  }, 120_000);

  it("follows a namespace relabelled on the API server", async () => {
    // backend's label is what the guarantee names by namespace; a relabel that keeps the name changes nothing,
    // but the base must still see the new labels.
    const ns = api.get("Namespace", undefined, "backend") as {
      metadata: { labels?: Record<string, string> };
    };
    api.update({
      ...ns,
      metadata: { ...ns.metadata, labels: { ...(ns.metadata.labels ?? {}), audited: "yes" } },
    });
    await until("the relabelled namespace in the base", () =>
      webhook.evaluator.current!.cluster.namespaces.some(
        (n) => n.name === "backend" && n.labels.audited === "yes",
      ),
    );
    await webhook.settled();
    expect(verdict()).toBe("holds");
  }, 60_000);
});
