/**
 * Live mode: the cluster state kept in sync with an API server by one informer (list, then watch
 * from the list's resourceVersion) per resource netpolc reads.
 *
 * What reaches the sink:
 *   - every list (the first one and each re-list, e.g. after a watch answered 410 Gone) replaces all
 *     objects of its kind (`replaceKinds`), so deletions missed while the watch was down are dropped;
 *   - watch events upsert or remove single objects. The informer also reports the list's items as
 *     add/update/delete callbacks; those already applied by the list (same resourceVersion) are skipped.
 *   - objects are plain JSON with kind and apiVersion set (list items come without them), parsed by
 *     the same parser as files. ReplicaSets controlled by a Deployment and Jobs controlled by a
 *     CronJob are left out: the owner's pod template already stands for their pods (Pods are kept).
 * Errors never reject `synced`: they are logged and the informer restarts after a backoff. A custom
 * resource whose list answers 404 (the CRD is not installed) counts as synced and empty, and is
 * listed again every `missingRetryMs`.
 */

import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  NetworkingV1Api,
  Watch,
} from "@kubernetes/client-node";
import type { Diagnostic } from "../common/index.js";
import {
  type Apis,
  collectionPath,
  describe,
  keepBody,
  objectPath,
  ownedByTemplateOwner,
  type Raw,
  RESOURCES,
  statusOf,
  type WatchedResource,
  withKind,
} from "./live-resources.js";
import type { StateSink } from "./state.js";

export { type KubeConfigOptions, loadKubeConfig } from "./kubeconfig.js";
export { RESOURCES, type WatchedResource } from "./live-resources.js";

export interface LiveSync {
  /** Resolves once every resource has been listed once; never rejects (stays pending if stopped before). */
  readonly synced: Promise<void>;
  isSynced(): boolean;
  /** Stops every informer and closes the watches. */
  stop(): Promise<void>;
}

export interface LiveSyncOptions {
  /** First delay before restarting a failed informer; doubles up to maxRetryMs (default 1 s, 30 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** Delay between lists of a custom resource that is not installed (default 60 s). */
  readonly missingRetryMs?: number;
}

type Log = (event: Record<string, unknown>) => void;

/** Thrown from a list to end an informer's run quietly. */
class Quiet extends Error {
  constructor(readonly reason: "stopped" | "not-installed") {
    super(reason);
  }
}

/** client-node's Watch, made to close a watch whose request was still connecting when stop() came. */
class StoppableWatch extends Watch {
  stopped = false;

  override async watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.stopped) return new AbortController();
    const controller = await super.watch(path, params, callback, done);
    if (this.stopped) controller.abort();
    return controller;
  }
}

interface Timing {
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly missingRetryMs: number;
}

/** One resource's informer and what of it the sink holds. */
class ResourceSync {
  readonly path: string;
  listed = false;
  /** "namespace/name" → resourceVersion of each object this resource gave the sink. */
  private known = new Map<string, string>();
  private informer: ListWatch<KubernetesObject>;
  private readonly watch: StoppableWatch;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private missing = false;
  private lastListError: unknown;
  /** The next start needs a fresh informer (a list), not a watch from the last version. */
  private relist = false;

  constructor(
    private readonly r: WatchedResource,
    kc: KubeConfig,
    private readonly apis: Apis,
    private readonly sink: StateSink,
    private readonly log: Log,
    private readonly timing: Timing,
    private readonly onListed: () => void,
  ) {
    this.path = collectionPath(r);
    this.watch = new StoppableWatch(kc);
    this.informer = this.makeInformer();
  }

  start(): void {
    if (this.relist) {
      this.relist = false;
      void this.informer.stop();
      this.informer = this.makeInformer();
    }
    this.informer.start().catch((e: unknown) => this.failed(e));
  }

  async stop(): Promise<void> {
    this.watch.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  private makeInformer(): ListWatch<KubernetesObject> {
    // autoStart false: started by start(); a fresh informer always begins with a list.
    const informer = new ListWatch(this.path, this.watch, () => this.list(), false);
    // A replaced informer (see start) says nothing more.
    const current = () => informer === this.informer;
    informer.on("add", (o) => current() && this.apply(o));
    informer.on("update", (o) => current() && this.apply(o));
    informer.on("delete", (o) => current() && this.remove(o));
    informer.on("error", (e) => current() && this.failed(e));
    return informer;
  }

  /** The informer's list function: every list replaces the kind's objects in the sink. */
  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const kept: { text?: string } = {};
    try {
      await this.r.list(this.apis, keepBody(kept));
    } catch (e) {
      if (this.watch.stopped) throw new Quiet("stopped");
      if (this.r.custom && statusOf(e) === 404) {
        if (!this.missing)
          this.log({
            level: "warn",
            msg: "custom resource not installed: treated as empty",
            resource: this.path,
          });
        this.missing = true;
        if (!this.listed || this.known.size > 0) this.replace([]);
        throw new Quiet("not-installed");
      }
      this.lastListError = e;
      throw e;
    }
    if (this.watch.stopped) throw new Quiet("stopped");
    if (kept.text === undefined) {
      this.lastListError = new Error("list response body not kept");
      throw this.lastListError;
    }
    const list = JSON.parse(kept.text) as KubernetesListObject<KubernetesObject>;
    list.items ??= [];
    if (this.missing) this.log({ level: "info", msg: "custom resource installed", resource: this.path });
    this.missing = false;
    this.failures = 0;
    this.replace(list.items.map((o) => withKind(this.r, o)));
    this.log({ level: "debug", msg: "listed", resource: this.path, items: list.items.length });
    return list;
  }

  private replace(raws: readonly Raw[]): void {
    const kept = raws.filter((x) => !ownedByTemplateOwner(this.r.kind, x));
    this.known = new Map(kept.map((x) => [keyOf(x), x.metadata?.resourceVersion ?? ""]));
    this.report(this.sink.replaceKinds([this.r.kind], kept, this.path));
    if (!this.listed) {
      this.listed = true;
      this.onListed();
    }
  }

  /** An added or modified object (from a watch event, or the list's items again). */
  private apply(o: KubernetesObject): void {
    if (this.watch.stopped) return;
    this.failures = 0;
    const namespace = o.metadata?.namespace || undefined;
    const name = o.metadata?.name ?? "";
    const key = keyOf(o);
    const rv = o.metadata?.resourceVersion ?? "";
    if (rv !== "" && this.known.get(key) === rv) return;
    if (ownedByTemplateOwner(this.r.kind, o)) {
      // Adopted by a Deployment/CronJob since the sink got it.
      if (this.known.delete(key)) this.sink.remove(this.r.kind, namespace, name);
      return;
    }
    this.known.set(key, rv);
    this.report(this.sink.upsert(withKind(this.r, o), objectPath(this.r, namespace, name)));
  }

  private remove(o: KubernetesObject): void {
    if (this.watch.stopped) return;
    // Unknown here: left out (owned), or already gone with the list that replaced the kind.
    if (this.known.delete(keyOf(o)))
      this.sink.remove(this.r.kind, o.metadata?.namespace || undefined, o.metadata?.name ?? "");
  }

  /** The informer stopped on an error: log it and start again after a backoff. */
  private failed(e: unknown): void {
    if (this.watch.stopped || (e instanceof Quiet && e.reason === "stopped")) return;
    if (e instanceof Quiet) {
      this.retry(this.timing.missingRetryMs);
      return;
    }
    const status = statusOf(e);
    const phase = e === this.lastListError ? "list" : "watch";
    if (phase === "watch" && status === 404) {
      // The resource went away (a CRD deleted): only a list can tell what is left.
      this.relist = true;
      if (this.r.custom) {
        this.retry(this.timing.retryMs);
        return;
      }
    }
    const delay = Math.min(this.timing.retryMs * 2 ** this.failures, this.timing.maxRetryMs);
    this.failures++;
    this.log({
      level: "error",
      msg: `${phase} failed`,
      resource: this.path,
      error: describe(e),
      status,
      retryInMs: delay,
    });
    this.retry(delay);
  }

  private retry(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.watch.stopped) this.start();
    }, ms);
    this.timer.unref();
  }

  private report(diagnostics: readonly Diagnostic[]): void {
    const errors = diagnostics.filter((d) => d.severity === "error");
    if (errors.length === 0) return;
    this.log({
      level: "warn",
      msg: "objects rejected by validation",
      resource: this.path,
      count: errors.length,
      diagnostics: errors.slice(0, 10).map((d) => ({ code: d.code, message: d.message, object: d.object })),
    });
  }
}

function keyOf(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

/**
 * Starts one informer per resource of RESOURCES against the cluster of `kc`, feeding `sink`.
 * `log` receives structured events ({level, msg, resource, ...}).
 */
export function startLiveSync(
  kc: KubeConfig,
  sink: StateSink,
  log: Log,
  options: LiveSyncOptions = {},
): LiveSync {
  const timing: Timing = {
    retryMs: options.retryMs ?? 1000,
    maxRetryMs: options.maxRetryMs ?? 30_000,
    missingRetryMs: options.missingRetryMs ?? 60_000,
  };
  const apis: Apis = {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
  const t0 = performance.now();
  let pending = RESOURCES.length;
  let resolve!: () => void;
  const synced = new Promise<void>((r) => {
    resolve = r;
  });
  const onListed = () => {
    if (--pending > 0) return;
    log({
      level: "info",
      msg: "cluster state synced",
      resources: RESOURCES.length,
      ms: Math.round(performance.now() - t0),
    });
    resolve();
  };
  const syncs = RESOURCES.map((r) => new ResourceSync(r, kc, apis, sink, log, timing, onListed));
  for (const s of syncs) s.start();
  return {
    synced,
    isSynced: () => pending === 0,
    stop: async () => {
      await Promise.all(syncs.map((s) => s.stop()));
    },
  };
}
