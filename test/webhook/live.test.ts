/**
 * Live mode against the fake API server (test/support/fake-apiserver.ts): client-node's real
 * informers list and watch over HTTP(S); the assertions read the ClusterState they feed.
 * No fixed sleeps: every wait polls a condition until a deadline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/common/index.js";
import { type LiveSync, loadKubeConfig, RESOURCES, startLiveSync } from "../../src/webhook/live.js";
import { ClusterState, keyOf, parseRaw } from "../../src/webhook/state.js";
import {
  type FakeApiServer,
  type FakeApiServerOptions,
  startFakeApiServer,
} from "../support/fake-apiserver.js";

type Obj = Record<string, unknown>;
type LogEvent = Record<string, unknown>;

// ---- objects ----

const ns = (name: string, labels: Obj = {}): Obj => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

const podSpec = {
  containers: [{ name: "app", image: "app:1", ports: [{ name: "http", containerPort: 8080 }] }],
};

const pod = (namespace: string, name: string, labels: Obj = { app: name }): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels },
  spec: podSpec,
  status: { podIP: "10.244.0.7", podIPs: [{ ip: "10.244.0.7" }], phase: "Running" },
});

const workload = (
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
  extra: Obj = {},
): Obj => ({
  apiVersion,
  kind,
  metadata: { name, namespace, ...((extra.metadata as Obj) ?? {}) },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: podSpec },
    ...((extra.spec as Obj) ?? {}),
  },
});

const ownedBy = (apiVersion: string, kind: string, name: string) => ({
  metadata: {
    ownerReferences: [{ apiVersion, kind, name, uid: "u-1", controller: true, blockOwnerDeletion: true }],
  },
});

const cronJob = (namespace: string, name: string): Obj => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name, namespace },
  spec: {
    schedule: "*/5 * * * *",
    jobTemplate: {
      spec: {
        template: { metadata: { labels: { app: name } }, spec: { ...podSpec, restartPolicy: "Never" } },
      },
    },
  },
});

const job = (namespace: string, name: string, extra: Obj = {}): Obj => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, namespace, ...((extra.metadata as Obj) ?? {}) },
  spec: { template: { metadata: { labels: { app: name } }, spec: { ...podSpec, restartPolicy: "Never" } } },
});

const netpol = (namespace: string, name: string): Obj => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace },
  spec: {
    podSelector: { matchLabels: { app: "api" } },
    policyTypes: ["Ingress"],
    ingress: [
      {
        from: [{ podSelector: { matchLabels: { app: "web" } } }],
        ports: [{ protocol: "TCP", port: "http" }],
      },
    ],
  },
});

const service = (namespace: string, name: string): Obj => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: {
    selector: { app: name },
    ports: [{ name: "http", port: 80, targetPort: "http" }],
    clusterIP: "10.96.0.10",
  },
});

const endpointSlice = (namespace: string, service: string): Obj => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: `${service}-abc12`, namespace, labels: { "kubernetes.io/service-name": service } },
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.244.0.7"], conditions: { ready: true } }],
  ports: [{ name: "http", protocol: "TCP", port: 8080 }],
});

const anp = (name: string): Obj => ({
  apiVersion: "policy.networking.k8s.io/v1alpha1",
  kind: "AdminNetworkPolicy",
  metadata: { name },
  spec: {
    priority: 10,
    subject: { namespaces: { matchLabels: { env: "prod" } } },
    ingress: [{ name: "deny-dev", action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }] }],
  },
});

const banp = (): Obj => ({
  apiVersion: "policy.networking.k8s.io/v1alpha1",
  kind: "BaselineAdminNetworkPolicy",
  metadata: { name: "default" },
  spec: {
    subject: { namespaces: {} },
    ingress: [{ name: "deny-pods", action: "Deny", from: [{ namespaces: {} }] }],
  },
});

const cnp = (name: string): Obj => ({
  apiVersion: "policy.networking.k8s.io/v1alpha2",
  kind: "ClusterNetworkPolicy",
  metadata: { name },
  spec: {
    tier: "Admin",
    priority: 10,
    subject: { namespaces: { matchLabels: { env: "prod" } } },
    ingress: [
      {
        name: "scrape",
        action: "Accept",
        from: [{ namespaces: { matchLabels: { role: "monitoring" } } }],
        protocols: [{ tcp: { destinationPort: { number: 9090 } } }],
      },
    ],
  },
});

// ---- harness ----

/** Polls `cond` every 10 ms until it holds; fails with `what` after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A ClusterState that also keeps every diagnostic its parser reported. */
class RecordingState extends ClusterState {
  readonly diagnostics: Diagnostic[] = [];
  override upsert(raw: unknown, origin: string): readonly Diagnostic[] {
    const d = super.upsert(raw, origin);
    this.diagnostics.push(...d);
    return d;
  }
  override replaceKinds(
    kinds: readonly string[],
    raws: readonly unknown[],
    origin: string,
  ): readonly Diagnostic[] {
    const d = super.replaceKinds(kinds, raws, origin);
    this.diagnostics.push(...d);
    return d;
  }
}

interface Harness {
  server: FakeApiServer;
  state: RecordingState;
  logs: LogEvent[];
  sync: LiveSync;
  dir: string;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(
  options: FakeApiServerOptions = {},
): Promise<{ server: FakeApiServer; dir: string }> {
  const server = await startFakeApiServer(options);
  const dir = mkdtempSync(join(tmpdir(), "netpolc-live-"));
  cleanups.push(() => server.close());
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { server, dir };
}

/** A server with `objects`, and a live sync on it (fast retries). */
async function harness(objects: readonly Obj[] = [], options: FakeApiServerOptions = {}): Promise<Harness> {
  const { server, dir } = await startServer(options);
  for (const o of objects) server.create(o);
  const state = new RecordingState();
  const logs: LogEvent[] = [];
  const kc = loadKubeConfig({ kubeconfig: server.kubeconfig(dir) });
  const sync = startLiveSync(kc, state, (e) => logs.push(e), {
    retryMs: 20,
    maxRetryMs: 200,
    missingRetryMs: 50,
  });
  cleanups.push(() => sync.stop());
  return { server, state, logs, sync, dir };
}

const has = (h: Harness, kind: string, namespace: string | undefined, name: string) =>
  h.state.get(keyOf(kind, namespace, name)) !== undefined;

const errorsOf = (h: Harness) => h.state.diagnostics.filter((d) => d.severity === "error");

// ---- tests ----

describe("live sync", () => {
  it("lists every resource, then resolves synced with the objects parsed", async () => {
    const objects = [
      ns("prod", { env: "prod" }),
      ns("dev", { env: "dev" }),
      pod("prod", "api-7d9c-x1"),
      service("prod", "api"),
      endpointSlice("prod", "api"),
      workload("apps/v1", "Deployment", "prod", "api"),
      workload("apps/v1", "ReplicaSet", "prod", "api-7d9c", ownedBy("apps/v1", "Deployment", "api")),
      workload("apps/v1", "ReplicaSet", "prod", "legacy"),
      workload("apps/v1", "StatefulSet", "prod", "db", { spec: { serviceName: "db" } }),
      workload("apps/v1", "DaemonSet", "prod", "agent"),
      cronJob("prod", "report"),
      job("prod", "report-28000000", ownedBy("batch/v1", "CronJob", "report")),
      job("prod", "migrate"),
      netpol("prod", "api-ingress"),
      anp("prod-guard"),
      banp(),
      cnp("allow-monitoring"),
    ];
    const h = await harness(objects);
    await within(h.sync.synced, "synced");
    expect(h.sync.isSynced()).toBe(true);

    // Owned ReplicaSets and Jobs are left out; everything else is there, parsed without errors.
    expect(h.state.size).toBe(objects.length - 2);
    expect(has(h, "ReplicaSet", "prod", "api-7d9c")).toBe(false);
    expect(has(h, "Job", "prod", "report-28000000")).toBe(false);
    for (const [kind, namespace, name] of [
      ["Namespace", undefined, "prod"],
      ["Pod", "prod", "api-7d9c-x1"],
      ["Service", "prod", "api"],
      ["EndpointSlice", "prod", "api-abc12"],
      ["Deployment", "prod", "api"],
      ["ReplicaSet", "prod", "legacy"],
      ["StatefulSet", "prod", "db"],
      ["DaemonSet", "prod", "agent"],
      ["CronJob", "prod", "report"],
      ["Job", "prod", "migrate"],
      ["NetworkPolicy", "prod", "api-ingress"],
      ["AdminNetworkPolicy", undefined, "prod-guard"],
      ["BaselineAdminNetworkPolicy", undefined, "default"],
      ["ClusterNetworkPolicy", undefined, "allow-monitoring"],
    ] as const)
      expect(has(h, kind, namespace, name), `${kind} ${namespace ?? ""}/${name}`).toBe(true);
    expect(errorsOf(h)).toEqual([]);

    // The wire form reached the parser: kind/apiVersion set on list items, `from` (client-node's `_from`) kept.
    const np = h.state.get(keyOf("NetworkPolicy", "prod", "api-ingress"));
    expect(np).toMatchObject({ kind: "NetworkPolicy", apiVersion: "networking.k8s.io/v1" });
    expect(JSON.stringify(np)).toContain('"from"');
    expect(JSON.stringify(np)).not.toContain("_from");
    expect(h.state.get(keyOf("Pod", "prod", "api-7d9c-x1"))).toMatchObject({ kind: "Pod", apiVersion: "v1" });

    // One list and one watch per resource, all namespaces.
    for (const path of [
      "/api/v1/pods",
      "/apis/apps/v1/replicasets",
      "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies",
    ]) {
      expect(h.server.requestsTo(path, "list"), path).toHaveLength(1);
    }
    await waitFor(() => h.server.openWatches() === RESOURCES.length, "one watch per resource");
    expect(h.logs.filter((e) => e.level === "error" || e.level === "warn")).toEqual([]);
  });

  it("follows watch events: create, update and delete", async () => {
    const h = await harness([ns("prod"), pod("prod", "a")]);
    await within(h.sync.synced, "synced");
    const version0 = h.state.version;

    h.server.create(pod("prod", "b", { app: "web" }));
    await waitFor(() => has(h, "Pod", "prod", "b"), "pod b added");
    expect(h.state.get(keyOf("Pod", "prod", "b"))).toMatchObject({ kind: "Pod", apiVersion: "v1" });

    h.server.update(pod("prod", "b", { app: "api" }));
    await waitFor(
      () => h.state.get(keyOf("Pod", "prod", "b"))?.metadata.labels?.app === "api",
      "pod b relabelled",
    );

    h.server.delete("pods", "prod", "b");
    await waitFor(() => !has(h, "Pod", "prod", "b"), "pod b deleted");

    // Cluster-scoped built-in and custom kinds.
    h.server.create(ns("dev", { env: "dev" }));
    h.server.create(anp("guard"));
    await waitFor(
      () => has(h, "Namespace", undefined, "dev") && has(h, "AdminNetworkPolicy", undefined, "guard"),
      "ns and ANP",
    );
    h.server.delete("AdminNetworkPolicy", undefined, "guard");
    await waitFor(() => !has(h, "AdminNetworkPolicy", undefined, "guard"), "ANP deleted");

    h.server.create(netpol("prod", "np"));
    await waitFor(() => has(h, "NetworkPolicy", "prod", "np"), "netpol added");

    expect(h.state.version).toBeGreaterThan(version0);
    expect(has(h, "Pod", "prod", "a")).toBe(true);
    expect(errorsOf(h)).toEqual([]);
    // Only watches carried the changes: no second list.
    expect(h.server.requestsTo("/api/v1/pods", "list")).toHaveLength(1);
  });

  it("reports objects that fail validation; the parser decides what is kept, as for files", async () => {
    // The fake server does not validate: these stand for objects a server accepts and netpolc does not.
    const badPort: Obj = {
      ...pod("prod", "bad-port"),
      spec: { containers: [{ name: "x", ports: [{ containerPort: 70000 }] }] },
    };
    const noContainers: Obj = { ...pod("prod", "no-containers"), spec: {} };
    const h = await harness([ns("prod"), pod("prod", "good"), badPort, noContainers]);
    await within(h.sync.synced, "synced");
    expect(has(h, "Pod", "prod", "good")).toBe(true);
    for (const raw of [badPort, noContainers]) {
      const alone = parseRaw(raw, "file.yaml");
      const name = (raw.metadata as { name: string }).name;
      expect(has(h, "Pod", "prod", name), name).toBe(alone.object !== undefined);
      const codes = (d: readonly Diagnostic[]) => d.filter((x) => x.severity === "error").map((x) => x.code);
      const live = h.state.diagnostics.filter((d) => d.object?.name === name);
      expect(codes(live), name).toEqual(codes(alone.diagnostics));
      expect(codes(live).length, name).toBeGreaterThan(0);
    }
    expect(h.logs.find((e) => e.msg === "objects rejected by validation")).toMatchObject({
      level: "warn",
      resource: "/api/v1/pods",
    });
  });

  it("does not wait for a CRD that is not installed, and lists it once installed", async () => {
    const path = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies";
    const h = await harness([ns("prod"), anp("guard")], { omit: ["clusternetworkpolicies"] });
    await within(h.sync.synced, "synced");
    expect(has(h, "AdminNetworkPolicy", undefined, "guard")).toBe(true);

    // Retried (every 50 ms here), logged once.
    await waitFor(() => h.server.requestsTo(path, "list").length >= 3, "list retries");
    expect(h.server.requestsTo(path, "list").every((q) => q.status === 404)).toBe(true);
    const missing = h.logs.filter((e) => e.resource === path);
    expect(missing).toEqual([
      { level: "warn", msg: "custom resource not installed: treated as empty", resource: path },
    ]);

    h.server.install("clusternetworkpolicies");
    h.server.create(cnp("allow-monitoring"));
    await waitFor(
      () => has(h, "ClusterNetworkPolicy", undefined, "allow-monitoring"),
      "CNP listed after install",
    );
    h.server.create(cnp("second"));
    await waitFor(() => has(h, "ClusterNetworkPolicy", undefined, "second"), "CNP watched after install");
    expect(h.logs.some((e) => e.msg === "custom resource installed" && e.resource === path)).toBe(true);
    expect(h.logs.filter((e) => e.level === "error")).toEqual([]);
  });

  it("re-lists after 410 Expired and drops an object deleted during the gap", async () => {
    const h = await harness([ns("prod"), pod("prod", "a"), pod("prod", "b")]);
    await within(h.sync.synced, "synced");
    await waitFor(() => h.server.openWatches("pods") === 1, "pod watch open");

    // A stalled watch: the deletion is never delivered, then the server's history expires.
    h.server.pauseWatches();
    h.server.delete("pods", "prod", "a");
    h.server.create(pod("prod", "c"));
    h.server.expireHistory();
    h.server.resumeWatches();

    await waitFor(() => !has(h, "Pod", "prod", "a") && has(h, "Pod", "prod", "c"), "state after re-list");
    expect(has(h, "Pod", "prod", "b")).toBe(true);
    expect(h.server.requestsTo("/api/v1/pods", "list")).toHaveLength(2);
    // Watching goes on from the new list.
    h.server.create(pod("prod", "d"));
    await waitFor(() => has(h, "Pod", "prod", "d"), "pod d after re-list");
    expect(h.logs.filter((e) => e.level === "error")).toEqual([]);
  });

  it("resumes a dropped watch from its resourceVersion without a re-list", async () => {
    const h = await harness([ns("prod"), pod("prod", "a")]);
    await within(h.sync.synced, "synced");
    await waitFor(() => h.server.openWatches() === RESOURCES.length, "watches open");
    const watchesBefore = h.server.requestsTo("/api/v1/pods", "watch").length;

    h.server.pauseWatches();
    h.server.delete("pods", "prod", "a");
    h.server.dropWatches(); // held events are lost with the connections; the history still has them
    h.server.resumeWatches();

    await waitFor(() => !has(h, "Pod", "prod", "a"), "deletion replayed from history");
    expect(h.server.requestsTo("/api/v1/pods", "list")).toHaveLength(1);
    const resumed = h.server.requestsTo("/api/v1/pods", "watch").slice(watchesBefore);
    expect(resumed.length).toBeGreaterThan(0);
    expect(Number(resumed[0]!.query.resourceVersion)).toBeGreaterThan(0);
  });

  it("leaves out ReplicaSets controlled by a Deployment and Jobs controlled by a CronJob, also on updates", async () => {
    const h = await harness([
      ns("prod"),
      workload("apps/v1", "Deployment", "prod", "api"),
      cronJob("prod", "report"),
    ]);
    await within(h.sync.synced, "synced");

    h.server.create(
      workload("apps/v1", "ReplicaSet", "prod", "api-1", ownedBy("apps/v1", "Deployment", "api")),
    );
    h.server.create(job("prod", "report-1", ownedBy("batch/v1", "CronJob", "report")));
    h.server.create(pod("prod", "api-1-xyz"));
    await waitFor(() => has(h, "Pod", "prod", "api-1-xyz"), "pod of the ReplicaSet");
    // Each resource has its own watch: markers created after the owned objects show that those
    // watches have delivered them (and they were skipped).
    h.server.create(workload("apps/v1", "ReplicaSet", "prod", "marker"));
    h.server.create(job("prod", "marker"));
    await waitFor(() => has(h, "ReplicaSet", "prod", "marker") && has(h, "Job", "prod", "marker"), "markers");
    expect(has(h, "ReplicaSet", "prod", "api-1")).toBe(false);
    expect(has(h, "Job", "prod", "report-1")).toBe(false);

    // Adopted by a Deployment after being seen: removed; orphaned again: back.
    h.server.update(
      workload("apps/v1", "ReplicaSet", "prod", "marker", ownedBy("apps/v1", "Deployment", "api")),
    );
    await waitFor(() => !has(h, "ReplicaSet", "prod", "marker"), "adopted ReplicaSet removed");
    h.server.update(workload("apps/v1", "ReplicaSet", "prod", "marker"));
    await waitFor(() => has(h, "ReplicaSet", "prod", "marker"), "orphaned ReplicaSet back");
    // A non-controller owner reference does not count.
    const notController = {
      metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "u" }] },
    };
    h.server.create(workload("apps/v1", "ReplicaSet", "prod", "loose", notController));
    await waitFor(() => has(h, "ReplicaSet", "prod", "loose"), "ReplicaSet without controller owner");
  });

  it("logs failures, restarts after a backoff and syncs when the server answers", async () => {
    const { server, dir } = await startServer();
    server.create(pod("default", "a"));
    server.failNext(20, 500, "/api/v1/pods");
    server.failNext(2, 503, "/apis/apps/v1/deployments");
    const state = new RecordingState();
    const logs: LogEvent[] = [];
    const sync = startLiveSync(
      loadKubeConfig({ kubeconfig: server.kubeconfig(dir) }),
      state,
      (e) => logs.push(e),
      {
        retryMs: 1,
        maxRetryMs: 20,
      },
    );
    cleanups.push(() => sync.stop());
    await within(sync.synced, "synced after the failures");
    expect(state.get(keyOf("Pod", "default", "a"))).toBeDefined();
    const errors = logs.filter((e) => e.level === "error");
    expect(errors.filter((e) => e.resource === "/api/v1/pods")).toHaveLength(20);
    expect(errors.filter((e) => e.resource === "/apis/apps/v1/deployments")).toHaveLength(2);
    expect(errors[0]).toMatchObject({
      msg: "list failed",
      status: 500,
      error: "fake-apiserver: injected failure",
    });
    // Exponential, capped.
    expect(errors.filter((e) => e.resource === "/api/v1/pods").map((e) => e.retryInMs)).toEqual([
      1,
      2,
      4,
      8,
      16,
      ...Array(15).fill(20),
    ]);

    // A watch that fails is restarted from its version (no list).
    await waitFor(() => server.openWatches("pods") === 1, "pod watch");
    server.failNext(1, 500, "/api/v1/pods");
    server.dropWatches();
    await waitFor(() => logs.some((e) => e.msg === "watch failed"), "watch failure logged");
    server.create(pod("default", "b"));
    await waitFor(
      () => state.get(keyOf("Pod", "default", "b")) !== undefined,
      "pod b after the watch restart",
    );
    expect(server.requestsTo("/api/v1/pods", "list").filter((q) => q.status === 200)).toHaveLength(1);
  });

  it("logs a rejected client and keeps trying", async () => {
    const { server, dir } = await startServer({ token: "right" });
    const path = server.kubeconfig(dir);
    writeFileSync(path, readFileSync(path, "utf8").replace('"token": "right"', '"token": "wrong"'));
    const logs: LogEvent[] = [];
    const sync = startLiveSync(
      loadKubeConfig({ kubeconfig: path }),
      new ClusterState(),
      (e) => logs.push(e),
      {
        retryMs: 1,
        maxRetryMs: 5,
      },
    );
    cleanups.push(() => sync.stop());
    await waitFor(() => logs.filter((e) => e.resource === "/api/v1/pods").length >= 3, "retries");
    expect(logs.find((e) => e.resource === "/api/v1/pods")).toMatchObject({
      level: "error",
      msg: "list failed",
      status: 401,
      error: "HTTP-Code: 401: Unauthorized",
    });
    expect(sync.isSynced()).toBe(false);
  });

  it("stop() closes every watch and ignores what follows", async () => {
    const h = await harness([ns("prod"), pod("prod", "a")]);
    await within(h.sync.synced, "synced");
    await waitFor(() => h.server.openWatches() === RESOURCES.length, "watches open");
    await h.sync.stop();
    await waitFor(() => h.server.openWatches() === 0, "watches closed on the server");
    const requests = h.server.requests.length;
    h.server.create(pod("prod", "late"));
    // A request of our own: anything the client had pending would have arrived before its answer.
    await fetch(`${h.server.url}/api/v1/namespaces`, { headers: { authorization: "Bearer fake-token" } });
    expect(has(h, "Pod", "prod", "late")).toBe(false);
    expect(h.server.requests.length).toBe(requests + 1);
    expect(h.logs.filter((e) => e.level === "error")).toEqual([]);
  });

  it("stop() during the first lists opens no watch", async () => {
    const h = await harness([ns("prod")]);
    await h.sync.stop();
    await waitFor(() => h.server.requests.length >= RESOURCES.length, "the lists to arrive");
    await fetch(`${h.server.url}/api/v1/namespaces`, { headers: { authorization: "Bearer fake-token" } });
    expect(h.server.requests.filter((q) => q.watch)).toEqual([]);
    expect(h.server.openWatches()).toBe(0);
    expect(h.sync.isSynced()).toBe(false);
  });

  it("stop() while the watches are connecting closes them once they answer", async () => {
    const { server, dir } = await startServer();
    server.holdWatches();
    const sync = startLiveSync(
      loadKubeConfig({ kubeconfig: server.kubeconfig(dir) }),
      new ClusterState(),
      () => {},
    );
    cleanups.push(() => sync.stop());
    await within(sync.synced, "synced");
    await waitFor(() => server.heldWatches === RESOURCES.length, "every watch request waiting");
    await sync.stop();
    server.releaseWatches();
    expect(server.openWatches()).toBe(RESOURCES.length);
    await waitFor(() => server.openWatches() === 0, "the late watches closed by the client");
  });

  it("a CRD removed while watched: its objects go, and come back when it is reinstalled", async () => {
    const path = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies";
    const h = await harness([cnp("a")]);
    await within(h.sync.synced, "synced");
    await waitFor(() => h.server.openWatches("clusternetworkpolicies") === 1, "CNP watch");
    h.server.uninstall("clusternetworkpolicies");
    await waitFor(() => !has(h, "ClusterNetworkPolicy", undefined, "a"), "CNP gone");
    await waitFor(
      () => h.logs.some((e) => e.msg === "custom resource not installed: treated as empty"),
      "noticed",
    );
    h.server.install("clusternetworkpolicies");
    h.server.create(cnp("b"));
    await waitFor(() => has(h, "ClusterNetworkPolicy", undefined, "b"), "CNP b after reinstall");
    // The watch's 404 led to a list, not to an error.
    expect(h.logs.filter((e) => e.level === "error")).toEqual([]);
    expect(h.server.requestsTo(path, "list").length).toBeGreaterThanOrEqual(3);
  });

  it("works over HTTPS, verifying the server against the kubeconfig's CA", async () => {
    const h = await harness([ns("prod"), pod("prod", "a")], { tls: true });
    expect(h.server.url).toMatch(/^https:/);
    await within(h.sync.synced, "synced over TLS");
    h.server.create(pod("prod", "b"));
    await waitFor(() => has(h, "Pod", "prod", "b"), "watch over TLS");
  });
});

describe("fake API server protocol", () => {
  const auth = { authorization: "Bearer fake-token" };

  /** Reads a watch stream until `n` events arrived (or it ended). */
  async function readEvents(url: string, n: number): Promise<{ events: Obj[]; headers: Headers }> {
    const controller = new AbortController();
    const res = await fetch(url, { headers: auth, signal: controller.signal });
    const events: Obj[] = [];
    let buffer = "";
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    while (events.length < n) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)) as Obj);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    }
    controller.abort();
    return { events, headers: res.headers };
  }

  it("lists with a resourceVersion, items without kind for built-ins and with it for custom resources", async () => {
    const { server } = await startServer();
    server.create(pod("default", "a"));
    server.create(anp("g"));
    const pods = (await (await fetch(`${server.url}/api/v1/pods`, { headers: auth })).json()) as Obj;
    expect(pods).toMatchObject({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "2" } });
    const items = pods.items as Obj[];
    expect(items).toHaveLength(1);
    expect(items[0]!.kind).toBeUndefined();
    expect(items[0]).toMatchObject({ metadata: { name: "a", namespace: "default", resourceVersion: "1" } });
    const anps = (await (
      await fetch(`${server.url}/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies`, {
        headers: auth,
      })
    ).json()) as Obj;
    expect((anps.items as Obj[])[0]).toMatchObject({
      kind: "AdminNetworkPolicy",
      apiVersion: "policy.networking.k8s.io/v1alpha1",
    });
    const inNs = (await (
      await fetch(`${server.url}/api/v1/namespaces/other/pods`, { headers: auth })
    ).json()) as Obj;
    expect(inNs.items).toEqual([]);
    const one = await fetch(`${server.url}/api/v1/namespaces/default/pods/a`, { headers: auth });
    expect(((await one.json()) as Obj).metadata).toMatchObject({ name: "a" });
  });

  it("answers 404, 401 and 405 with a Status", async () => {
    const { server } = await startServer({ omit: ["clusternetworkpolicies"] });
    const missing = await fetch(
      `${server.url}/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies`,
      {
        headers: auth,
      },
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: "Status", code: 404, reason: "NotFound" });
    expect((await fetch(`${server.url}/api/v1/pods`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/api/v1/pods`, { method: "POST", headers: auth, body: "{}" })).status,
    ).toBe(405);
  });

  it("streams events after the given resourceVersion, with chunked encoding", async () => {
    const { server } = await startServer();
    server.create(pod("default", "a")); // 1
    server.create(pod("default", "b")); // 2
    server.update(pod("default", "a", { app: "x" })); // 3
    server.delete("pods", "default", "b"); // 4
    const { events, headers } = await readEvents(`${server.url}/api/v1/pods?watch=true&resourceVersion=1`, 3);
    expect(headers.get("transfer-encoding")).toBe("chunked");
    expect(events.map((e) => [e.type, (e.object as { metadata: Obj }).metadata.resourceVersion])).toEqual([
      ["ADDED", "2"],
      ["MODIFIED", "3"],
      ["DELETED", "4"],
    ]);
    // Without a version: the current objects as ADDED.
    const initial = await readEvents(`${server.url}/api/v1/pods?watch=true`, 1);
    expect(initial.events).toMatchObject([
      { type: "ADDED", object: { kind: "Pod", metadata: { name: "a" } } },
    ]);
  });

  it("answers a watch from an expired resourceVersion with an ERROR 410 event and ends it", async () => {
    const { server } = await startServer({ historyLimit: 2 });
    for (const n of ["a", "b", "c"]) server.create(pod("default", n)); // 1..3; event 1 falls out
    const tooOld = await readEvents(`${server.url}/api/v1/pods?watch=true&resourceVersion=0`, 3);
    expect(tooOld.events).toHaveLength(3); // "0": any version, the current state
    const ok = await readEvents(`${server.url}/api/v1/pods?watch=true&resourceVersion=1`, 2);
    expect(ok.events.map((e) => e.type)).toEqual(["ADDED", "ADDED"]);
    server.expireHistory();
    const gone = await readEvents(`${server.url}/api/v1/pods?watch=true&resourceVersion=3`, 5);
    expect(gone.events).toEqual([
      {
        type: "ERROR",
        object: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }),
      },
    ]);
    // A list after the expiry can be watched from.
    const list = (await (await fetch(`${server.url}/api/v1/pods`, { headers: auth })).json()) as {
      metadata: Obj;
    };
    server.create(pod("default", "d"));
    const after = await readEvents(
      `${server.url}/api/v1/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      1,
    );
    expect(after.events).toMatchObject([{ type: "ADDED", object: { metadata: { name: "d" } } }]);
  });

  it("sends bookmarks when allowed", async () => {
    const { server } = await startServer({ bookmarkIntervalMs: 20 });
    server.create(pod("default", "a"));
    const { events } = await readEvents(
      `${server.url}/api/v1/pods?watch=true&resourceVersion=1&allowWatchBookmarks=true`,
      1,
    );
    expect(events).toEqual([
      { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "1" } } },
    ]);
  });

  it("ends a watch after timeoutSeconds", async () => {
    const { server } = await startServer({ bookmarkIntervalMs: 100 });
    const t0 = Date.now();
    const { events } = await readEvents(
      `${server.url}/api/v1/pods?watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1`,
      1000,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((e) => e.type === "BOOKMARK")).toBe(true);
    expect(server.openWatches()).toBe(0);
  });
});

describe("loadKubeConfig", () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "netpolc-kubeconfig-"));
    cleanups.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  };

  const twoContexts = (d: string) => {
    const path = join(d, "config");
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "a", cluster: { server: "https://a.example:6443" } },
          { name: "b", cluster: { server: "https://b.example:6443" } },
        ],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [
          { name: "ctx-a", context: { cluster: "a", user: "u" } },
          { name: "ctx-b", context: { cluster: "b", user: "u" } },
          { name: "ctx-dangling", context: { cluster: "nowhere", user: "u" } },
        ],
        "current-context": "ctx-a",
      }),
    );
    return path;
  };

  it("loads a file and switches context", () => {
    const path = twoContexts(dir());
    expect(loadKubeConfig({ kubeconfig: path }).getCurrentCluster()?.server).toBe("https://a.example:6443");
    expect(loadKubeConfig({ kubeconfig: path, context: "ctx-b" }).getCurrentCluster()?.server).toBe(
      "https://b.example:6443",
    );
  });

  it("says what is wrong", () => {
    const d = dir();
    const path = twoContexts(d);
    expect(() => loadKubeConfig({ kubeconfig: join(d, "nope") })).toThrow(
      `kubeconfig not found: ${join(d, "nope")}`,
    );
    expect(() => loadKubeConfig({ kubeconfig: path, context: "prod" })).toThrow(
      `context "prod" not found in ${path}; available: ctx-a, ctx-b, ctx-dangling`,
    );
    expect(() => loadKubeConfig({ kubeconfig: path, context: "ctx-dangling" })).toThrow(
      `context "ctx-dangling" in ${path} names no cluster that the file defines`,
    );
    const bad = join(d, "bad");
    writeFileSync(bad, "clusters: [\n");
    expect(() => loadKubeConfig({ kubeconfig: bad })).toThrow(`cannot read kubeconfig ${bad}`);
    expect(() => loadKubeConfig({ inCluster: true, kubeconfig: path })).toThrow(
      "in-cluster configuration takes no kubeconfig",
    );
  });

  it("refuses in-cluster configuration outside a cluster", () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
    try {
      expect(() => loadKubeConfig({ inCluster: true })).toThrow(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set",
      );
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port !== undefined) process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});
