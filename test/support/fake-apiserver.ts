/**
 * A Kubernetes API server for tests: the part of the protocol that list+watch clients (client-node's
 * informers) use, from https://kubernetes.io/docs/reference/using-api/api-concepts/ — no kube-apiserver
 * can run in this environment.
 *
 * Served, for every resource of the table (or the one given):
 *   GET /api/v1/<resource>, /apis/<group>/<version>/<resource>      list, all namespaces
 *   GET …/namespaces/<ns>/<resource>                                 list, one namespace
 *   GET …/<resource>/<name>, …/namespaces/<ns>/<resource>/<name>     one object
 *   any of the lists with ?watch=true                                 a watch (see below)
 * Anything else: 404 with a Status (a resource not served is how a missing CRD looks), 405 for
 * verbs other than GET, 401 without the bearer token when one is configured.
 *
 * Semantics followed:
 *   - one resourceVersion counter for the whole server (as etcd's revision); every change takes the
 *     next value; a list's metadata.resourceVersion is the counter at the time of the list.
 *   - items of built-in lists carry no kind/apiVersion (as the real server's JSON); custom resources do.
 *   - watch from resourceVersion N streams, as newline-delimited JSON with chunked encoding, the events
 *     of that collection with resourceVersion > N; N unset or "0" starts with a synthetic ADDED event
 *     per existing object. The history is bounded (historyLimit events); a watch from a version older
 *     than the history gets one ERROR event with a Status 410 (reason Expired) and the stream ends, so
 *     the client re-lists. `allowWatchBookmarks=true` adds BOOKMARK events; `timeoutSeconds` ends the stream.
 *   - a DELETED event carries the object's last state with the deletion's resourceVersion.
 * Not implemented: label/field selectors (400), pagination (limit is ignored: one page), writes over
 * HTTP (tests change objects with create/update/delete), discovery, protobuf, sendInitialEvents.
 *
 * Set DEBUG_FAKE_API=1 to log requests and events on stderr.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeResource {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural resource name of the URL. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** A custom resource (its list items keep kind and apiVersion). */
  readonly custom?: boolean;
}

const r = (group: string, version: string, resource: string, kind: string, namespaced = true) => ({
  group,
  version,
  resource,
  kind,
  namespaced,
});
const crd = (version: string, resource: string, kind: string) => ({
  ...r("policy.networking.k8s.io", version, resource, kind, false),
  custom: true,
});

/** The resources served by default: those netpolc reads. */
export const DEFAULT_RESOURCES: readonly FakeResource[] = [
  r("", "v1", "namespaces", "Namespace", false),
  r("", "v1", "nodes", "Node", false),
  r("", "v1", "pods", "Pod"),
  r("", "v1", "services", "Service"),
  r("", "v1", "endpoints", "Endpoints"),
  r("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
  r("apps", "v1", "deployments", "Deployment"),
  r("apps", "v1", "replicasets", "ReplicaSet"),
  r("apps", "v1", "statefulsets", "StatefulSet"),
  r("apps", "v1", "daemonsets", "DaemonSet"),
  r("batch", "v1", "jobs", "Job"),
  r("batch", "v1", "cronjobs", "CronJob"),
  r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
  r("networking.k8s.io", "v1", "ingresses", "Ingress"),
  crd("v1alpha1", "adminnetworkpolicies", "AdminNetworkPolicy"),
  crd("v1alpha1", "baselineadminnetworkpolicies", "BaselineAdminNetworkPolicy"),
  crd("v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy"),
];

export interface FakeApiServerOptions {
  /** HTTPS with a self-signed certificate made by openssl (default: plain HTTP). */
  readonly tls?: boolean;
  /** Resources known to the server (default DEFAULT_RESOURCES). */
  readonly resources?: readonly FakeResource[];
  /** Plural names of known resources not served at start (a CRD not installed); see install(). */
  readonly omit?: readonly string[];
  /** Watch events kept for watches that resume (default 1000). */
  readonly historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 60 s, as the real server's ~1 min). */
  readonly bookmarkIntervalMs?: number;
  /** Bearer token required on every request (default "fake-token"; "" for none). */
  readonly token?: string;
}

export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: Record<string, unknown>;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly status: number;
}

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

interface HistoryEntry {
  readonly rv: number;
  readonly resource: FakeResource;
  readonly event: WatchEvent;
}

interface Watcher {
  readonly resource: FakeResource;
  readonly namespace: string | undefined;
  readonly res: http.ServerResponse;
  /** Events held while watches are paused. */
  readonly pending: WatchEvent[];
  readonly timers: NodeJS.Timeout[];
}

const DEBUG = !!process.env.DEBUG_FAKE_API;

function debug(...args: unknown[]): void {
  if (DEBUG) console.error("[fake-apiserver]", ...args);
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function apiVersionOf(res: FakeResource): string {
  return res.group === "" ? res.version : `${res.group}/${res.version}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Starts a server on 127.0.0.1 on a free port. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const server = new FakeApiServer(options);
  await server.listen();
  return server;
}

export class FakeApiServer {
  private readonly resources: readonly FakeResource[];
  private readonly served: Set<FakeResource>;
  /** resource → "namespace/name" → object. */
  private readonly store = new Map<FakeResource, Map<string, Obj>>();
  private history: HistoryEntry[] = [];
  /** Watches from a resourceVersion below this one are too old (410). */
  private oldestWatchable = 0;
  private counter = 0;
  private readonly watchers = new Set<Watcher>();
  private paused = false;
  private closing = false;
  /** Watch requests not answered yet (holdWatches), to start on release. */
  private held: (() => void)[] | undefined;
  /** Injected failures: the next `count` requests (of paths starting with `prefix`) answer `code`. */
  private failures: { count: number; code: number; prefix: string }[] = [];
  private readonly httpServer: http.Server;
  private readonly tmp: string | undefined;
  private readonly historyLimit: number;
  private readonly bookmarkIntervalMs: number;
  private readonly token: string;
  /** PEM of the serving certificate (its own CA) when serving HTTPS. */
  readonly ca: string | undefined;
  /** Every request answered, oldest first (watches when they start). */
  readonly requests: RequestRecord[] = [];
  url = "";

  constructor(options: FakeApiServerOptions = {}) {
    this.resources = options.resources ?? DEFAULT_RESOURCES;
    this.served = new Set(this.resources.filter((x) => !options.omit?.includes(x.resource)));
    for (const x of this.resources) this.store.set(x, new Map());
    this.historyLimit = options.historyLimit ?? 1000;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.token = options.token ?? "fake-token";
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    if (options.tls) {
      this.tmp = mkdtempSync(join(tmpdir(), "fake-apiserver-"));
      const key = join(this.tmp, "key.pem");
      const cert = join(this.tmp, "cert.pem");
      // biome-ignore format: one openssl argument pair per line
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=fake-apiserver",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-addext", "basicConstraints=critical,CA:TRUE",
      ], { stdio: "ignore" });
      this.ca = readFileSync(cert, "utf8");
      this.httpServer = https.createServer({ key: readFileSync(key), cert: this.ca }, handler);
    } else {
      this.ca = undefined;
      this.httpServer = http.createServer(handler);
    }
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once("error", reject);
      this.httpServer.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.httpServer.address() as AddressInfo;
    this.url = `${this.ca ? "https" : "http"}://127.0.0.1:${port}`;
  }

  /** The current resourceVersion (the last change's). */
  get resourceVersion(): number {
    return this.counter;
  }

  /** Open watch streams, optionally of one resource (plural name). */
  openWatches(resource?: string): number {
    let n = 0;
    for (const w of this.watchers) if (!resource || w.resource.resource === resource) n++;
    return n;
  }

  /** Requests of one path (lists and watches), e.g. "/api/v1/pods". */
  requestsTo(path: string, kind: "list" | "watch" | "any" = "any"): RequestRecord[] {
    return this.requests.filter((q) => q.path === path && (kind === "any" || q.watch === (kind === "watch")));
  }

  // ---- objects ----

  /** Stores a new object (apiVersion, kind, metadata.name set; namespace defaults to "default"). */
  create(obj: Record<string, unknown>): Obj {
    const res = this.resourceOfObject(obj);
    const o = this.normalise(res, obj);
    const key = this.keyOf(o.metadata);
    const objects = this.store.get(res)!;
    if (objects.has(key)) throw new Error(`fake-apiserver: ${res.kind} ${key} already exists`);
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    o.metadata.resourceVersion = String(++this.counter);
    objects.set(key, o);
    this.emit(res, "ADDED", o);
    return clone(o);
  }

  /** Replaces an existing object (uid and creationTimestamp kept). */
  update(obj: Record<string, unknown>): Obj {
    const res = this.resourceOfObject(obj);
    const o = this.normalise(res, obj);
    const key = this.keyOf(o.metadata);
    const objects = this.store.get(res)!;
    const old = objects.get(key);
    if (!old) throw new Error(`fake-apiserver: ${res.kind} ${key} not found`);
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    o.metadata.resourceVersion = String(++this.counter);
    objects.set(key, o);
    this.emit(res, "MODIFIED", o);
    return clone(o);
  }

  /** Deletes an object, the resource named by kind ("Pod") or plural ("pods"). */
  delete(kindOrResource: string, namespace: string | undefined, name: string): Obj {
    const res = this.resourceNamed(kindOrResource);
    const key = `${res.namespaced ? (namespace ?? "default") : ""}/${name}`;
    const objects = this.store.get(res)!;
    const old = objects.get(key);
    if (!old) throw new Error(`fake-apiserver: ${res.kind} ${key} not found`);
    objects.delete(key);
    const last = clone(old);
    last.metadata.resourceVersion = String(++this.counter);
    this.emit(res, "DELETED", last);
    return clone(last);
  }

  get(kindOrResource: string, namespace: string | undefined, name: string): Obj | undefined {
    const res = this.resourceNamed(kindOrResource);
    const o = this.store.get(res)!.get(`${res.namespaced ? (namespace ?? "default") : ""}/${name}`);
    return o && clone(o);
  }

  /** Serves a known resource (a CRD installed). */
  install(resource: string): void {
    this.served.add(this.resourceNamed(resource));
  }

  /** Stops serving a resource (a CRD removed): its objects are deleted and its watches end. */
  uninstall(resource: string): void {
    const res = this.resourceNamed(resource);
    for (const o of [...this.store.get(res)!.values()])
      this.delete(res.resource, o.metadata.namespace as string | undefined, o.metadata.name as string);
    this.served.delete(res);
    for (const w of [...this.watchers]) if (w.resource === res) this.endWatch(w);
  }

  // ---- watch control ----

  /**
   * Compacts the history: every watch resuming from a resourceVersion up to now gets a 410, and the
   * open watches get one now (their held events, if paused, are lost). Lists are unaffected.
   */
  expireHistory(): void {
    this.history = [];
    // One version with no change, so that a list after this point can be watched from.
    this.oldestWatchable = ++this.counter;
    for (const w of [...this.watchers]) {
      w.pending.length = 0;
      this.write(w, this.expired(0));
      this.endWatch(w);
    }
  }

  /** Holds events on the open watches (a stalled connection) until resumeWatches(). */
  pauseWatches(): void {
    this.paused = true;
  }

  resumeWatches(): void {
    this.paused = false;
    for (const w of this.watchers) for (const e of w.pending.splice(0)) this.write(w, e);
  }

  /** New watch requests get no answer (not even headers) until releaseWatches(): a slow server. */
  holdWatches(): void {
    this.held ??= [];
  }

  /** Answers the held watch requests (those whose client is still there). */
  releaseWatches(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const start of held) start();
  }

  /** Watch requests waiting for releaseWatches(). */
  get heldWatches(): number {
    return this.held?.length ?? 0;
  }

  /** Ends every open watch normally (as a watch timeout does); clients resume from their version. */
  dropWatches(): void {
    for (const w of [...this.watchers]) this.endWatch(w);
  }

  /** The next `count` requests whose path starts with `prefix` answer `code` with a Status (an outage). */
  failNext(count: number, code = 500, prefix = "/"): void {
    this.failures.push({ count, code, prefix });
  }

  /** Writes a kubeconfig for this server to dir/kubeconfig and returns its path. */
  kubeconfig(dir: string, opts: { context?: string; insecure?: boolean } = {}): string {
    const context = opts.context ?? "fake";
    const cluster: Record<string, unknown> = { server: this.url };
    if (this.ca && !opts.insecure)
      cluster["certificate-authority-data"] = Buffer.from(this.ca).toString("base64");
    // client-node refuses plain http unless TLS verification is off.
    else cluster["insecure-skip-tls-verify"] = true;
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "fake", cluster }],
      users: [{ name: "fake", user: this.token ? { token: this.token } : {} }],
      contexts: [{ name: context, context: { cluster: "fake", user: "fake" } }],
      "current-context": context,
    };
    const path = join(dir, "kubeconfig");
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
    return path;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.held = undefined;
    for (const w of [...this.watchers]) this.endWatch(w);
    await new Promise<void>((resolve) => {
      this.httpServer.close(() => resolve());
      this.httpServer.closeAllConnections();
    });
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  // ---- internals: objects and events ----

  private resourceOfObject(obj: Record<string, unknown>): FakeResource {
    const res = this.resources.find((x) => apiVersionOf(x) === obj.apiVersion && x.kind === obj.kind);
    if (!res)
      throw new Error(`fake-apiserver: no resource for ${String(obj.apiVersion)} ${String(obj.kind)}`);
    if (!this.served.has(res))
      throw new Error(`fake-apiserver: ${res.resource} is not served (not installed)`);
    return res;
  }

  private resourceNamed(name: string): FakeResource {
    const res = this.resources.find((x) => x.kind === name || x.resource === name);
    if (!res) throw new Error(`fake-apiserver: unknown resource ${name}`);
    return res;
  }

  private normalise(res: FakeResource, obj: Record<string, unknown>): Obj {
    const o = clone(obj) as Obj;
    o.metadata = { ...(o.metadata ?? {}) };
    if (typeof o.metadata.name !== "string" || !o.metadata.name)
      throw new Error("fake-apiserver: metadata.name required");
    if (res.namespaced) o.metadata.namespace ??= "default";
    else delete o.metadata.namespace;
    return o;
  }

  private keyOf(metadata: Record<string, unknown>): string {
    return `${(metadata.namespace as string | undefined) ?? ""}/${metadata.name as string}`;
  }

  private emit(res: FakeResource, type: WatchEvent["type"], o: Obj): void {
    const event: WatchEvent = { type, object: clone(o) };
    debug("event", type, res.resource, this.keyOf(o.metadata), o.metadata.resourceVersion);
    this.history.push({ rv: this.counter, resource: res, event });
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.oldestWatchable = Math.max(this.oldestWatchable, dropped[dropped.length - 1]!.rv);
    }
    for (const w of this.watchers)
      if (w.resource === res && (w.namespace === undefined || w.namespace === o.metadata.namespace)) {
        if (this.paused) w.pending.push(event);
        else this.write(w, event);
      }
  }

  private expired(rv: number): WatchEvent {
    const msg = `too old resource version: ${rv} (${this.oldestWatchable})`;
    return { type: "ERROR", object: status(410, "Expired", msg) };
  }

  // ---- internals: HTTP ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === "true" || query.watch === "1";
    if (this.closing) {
      // A request that connected before close() and got through (e.g. a TLS handshake in flight).
      res.writeHead(503, { Connection: "close" }).end();
      return;
    }
    const reply = (code: number, body: unknown) => {
      this.requests.push({ method: req.method ?? "", path: url.pathname, query, watch, status: code });
      debug(req.method, req.url, code);
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`)
      return reply(401, status(401, "Unauthorized", "Unauthorized"));
    const failure = this.failures.find((f) => f.count > 0 && url.pathname.startsWith(f.prefix));
    if (failure) {
      failure.count--;
      return reply(failure.code, status(failure.code, "InternalError", "fake-apiserver: injected failure"));
    }
    if (req.method !== "GET")
      return reply(
        405,
        status(405, "MethodNotAllowed", `the server does not allow this method: ${req.method}`),
      );
    const route = this.route(url.pathname);
    if (!route)
      return reply(404, status(404, "NotFound", "the server could not find the requested resource"));
    if (query.labelSelector || query.fieldSelector)
      return reply(400, status(400, "BadRequest", "fake-apiserver: selectors are not implemented"));
    const { resource, namespace, name } = route;
    const objects = this.store.get(resource)!;
    if (name !== undefined) {
      const o = objects.get(`${namespace ?? ""}/${name}`);
      if (!o || watch)
        return reply(
          404,
          status(404, "NotFound", `${resource.resource} "${name}" not found`, {
            name,
            kind: resource.resource,
          }),
        );
      return reply(200, o);
    }
    if (watch) {
      this.requests.push({ method: "GET", path: url.pathname, query, watch, status: 200 });
      debug("WATCH", req.url);
      const start = () => {
        if (!req.destroyed && !this.closing) this.startWatch(req, res, resource, namespace, query);
      };
      if (this.held) return void this.held.push(start);
      return start();
    }
    const items = [...objects.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map((o) => (resource.custom ? o : { ...o, kind: undefined, apiVersion: undefined }));
    reply(200, {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(this.counter) },
      items,
    });
  }

  /** The collection (and object name) a path names, if served. */
  private route(path: string): { resource: FakeResource; namespace?: string; name?: string } | undefined {
    const parts = path.split("/").filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 3) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
    else if (parts[0] === "apis" && parts.length >= 4)
      [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else return undefined;
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length < 1 || rest.length > 2) return undefined;
    const resource = [...this.served].find(
      (x) => x.group === group && x.version === version && x.resource === rest[0],
    );
    if (!resource || (namespace !== undefined && !resource.namespaced)) return undefined;
    return { resource, namespace, name: rest[1] };
  }

  private startWatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    resource: FakeResource,
    namespace: string | undefined,
    query: Record<string, string>,
  ): void {
    // No Content-Length: node sends the stream with chunked transfer encoding.
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    const w: Watcher = { resource, namespace, res, pending: [], timers: [] };
    this.watchers.add(w);
    req.on("close", () => this.endWatch(w));
    const from = query.resourceVersion ?? "";
    const inScope = (o: Record<string, unknown>) =>
      namespace === undefined || (o.metadata as Record<string, unknown>).namespace === namespace;
    if (from === "" || from === "0") {
      for (const o of this.store.get(resource)!.values())
        if (inScope(o)) this.write(w, { type: "ADDED", object: clone(o) });
    } else {
      const rv = Number(from);
      if (!Number.isInteger(rv) || rv < 0) {
        this.write(w, {
          type: "ERROR",
          object: status(400, "BadRequest", `invalid resourceVersion ${from}`),
        });
        this.endWatch(w);
        return;
      }
      if (rv < this.oldestWatchable) {
        this.write(w, this.expired(rv));
        this.endWatch(w);
        return;
      }
      for (const h of this.history)
        if (h.rv > rv && h.resource === resource && inScope(h.event.object)) this.write(w, h.event);
    }
    if (query.allowWatchBookmarks === "true") {
      const t = setInterval(() => {
        const object = {
          kind: resource.kind,
          apiVersion: apiVersionOf(resource),
          metadata: { resourceVersion: String(this.counter) },
        };
        if (!this.paused) this.write(w, { type: "BOOKMARK", object });
      }, this.bookmarkIntervalMs);
      w.timers.push(t);
    }
    const timeout = Number(query.timeoutSeconds);
    if (timeout > 0) w.timers.push(setTimeout(() => this.endWatch(w), timeout * 1000));
  }

  private write(w: Watcher, e: WatchEvent): void {
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify(e)}\n`);
  }

  private endWatch(w: Watcher): void {
    if (!this.watchers.delete(w)) return;
    for (const t of w.timers) clearTimeout(t);
    debug("watch ended", w.resource.resource);
    if (!w.res.writableEnded) w.res.end();
  }
}
