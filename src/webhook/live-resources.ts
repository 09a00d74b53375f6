/**
 * What live mode watches and how its objects are read: one row per resource (kind, API path, typed
 * list function of client-node), and the helpers that turn API responses into the wire JSON the
 * parser reads.
 */
import {
  type AppsV1Api,
  type BatchV1Api,
  type ConfigurationOptions,
  type CoreV1Api,
  type CustomObjectsApi,
  type DiscoveryV1Api,
  type KubernetesObject,
  type NetworkingV1Api,
  Observable,
  type ObservableMiddleware,
  ResponseContext,
} from "@kubernetes/client-node";

/** An object as JSON from the API server. */
export type Raw = Record<string, unknown> & {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
};

export interface Apis {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
}

/** A resource watched: kind, where it is served and how to list it. */
export interface WatchedResource {
  readonly apiVersion: string;
  readonly kind: string;
  /** Plural name, as in the URL. */
  readonly plural: string;
  /** A custom resource: a 404 means its CRD is not installed. */
  readonly custom: boolean;
  /** Lists every object (all namespaces); `options` carries the middleware that keeps the raw body. */
  readonly list: (apis: Apis, options: ConfigurationOptions) => Promise<unknown>;
}

function typed(
  apiVersion: string,
  kind: string,
  plural: string,
  list: WatchedResource["list"],
): WatchedResource {
  return { apiVersion, kind, plural, custom: false, list };
}

/** A cluster-scoped custom resource, listed through CustomObjectsApi. */
function custom(apiVersion: string, kind: string, plural: string): WatchedResource {
  const [group = "", version = ""] = apiVersion.split("/");
  const list: WatchedResource["list"] = (a, o) =>
    a.custom.listClusterCustomObject({ group, version, plural }, o);
  return { apiVersion, kind, plural, custom: true, list };
}

// biome-ignore format: a table reads best one resource per line
export const RESOURCES: readonly WatchedResource[] = [
  typed("v1",                   "Namespace",     "namespaces",      (a, o) => a.core.listNamespace({}, o)),
  typed("v1",                   "Pod",           "pods",            (a, o) => a.core.listPodForAllNamespaces({}, o)),
  typed("v1",                   "Service",       "services",        (a, o) => a.core.listServiceForAllNamespaces({}, o)),
  typed("discovery.k8s.io/v1",  "EndpointSlice", "endpointslices",  (a, o) => a.discovery.listEndpointSliceForAllNamespaces({}, o)),
  typed("apps/v1",              "Deployment",    "deployments",     (a, o) => a.apps.listDeploymentForAllNamespaces({}, o)),
  typed("apps/v1",              "ReplicaSet",    "replicasets",     (a, o) => a.apps.listReplicaSetForAllNamespaces({}, o)),
  typed("apps/v1",              "StatefulSet",   "statefulsets",    (a, o) => a.apps.listStatefulSetForAllNamespaces({}, o)),
  typed("apps/v1",              "DaemonSet",     "daemonsets",      (a, o) => a.apps.listDaemonSetForAllNamespaces({}, o)),
  typed("batch/v1",             "Job",           "jobs",            (a, o) => a.batch.listJobForAllNamespaces({}, o)),
  typed("batch/v1",             "CronJob",       "cronjobs",        (a, o) => a.batch.listCronJobForAllNamespaces({}, o)),
  typed("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", (a, o) => a.networking.listNetworkPolicyForAllNamespaces({}, o)),
  custom("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy",       "clusternetworkpolicies"),
  custom("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy",         "adminnetworkpolicies"),
  custom("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies"),
];

/** Controllers whose pod template already stands for the pods of what they control. */
const TEMPLATE_OWNERS: Readonly<Record<string, { readonly group: string; readonly kind: string }>> = {
  ReplicaSet: { group: "apps", kind: "Deployment" },
  Job: { group: "batch", kind: "CronJob" },
};

export function ownedByTemplateOwner(kind: string, o: KubernetesObject): boolean {
  const owner = TEMPLATE_OWNERS[kind];
  const refs = o.metadata?.ownerReferences;
  if (!owner || !Array.isArray(refs)) return false;
  return refs.some(
    (ref) =>
      ref.controller === true && ref.kind === owner.kind && ref.apiVersion?.split("/")[0] === owner.group,
  );
}

export function collectionPath(r: WatchedResource): string {
  return r.apiVersion.includes("/")
    ? `/apis/${r.apiVersion}/${r.plural}`
    : `/api/${r.apiVersion}/${r.plural}`;
}

/** The object's own API path: the origin of its diagnostics. */
export function objectPath(r: WatchedResource, namespace: string | undefined, name: string): string {
  const base = r.apiVersion.includes("/") ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${r.plural}/${name}` : `${base}/${r.plural}/${name}`;
}

/** The object with kind and apiVersion first (list items come without them). */
export function withKind(r: WatchedResource, o: KubernetesObject): Raw {
  const { apiVersion: _v, kind: _k, ...rest } = o as Raw;
  return { apiVersion: r.apiVersion, kind: r.kind, ...rest };
}

/**
 * Request options that keep the response body as sent. The typed list functions return model
 * instances (Date fields, properties renamed such as `from` → `_from`, fields the model does not know
 * dropped); the parser, and the informer's cache that also holds watch events, want the wire JSON.
 */
export function keepBody(kept: { text?: string }): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (ctx) => new Observable(Promise.resolve(ctx)),
    post: (ctx) =>
      new Observable(
        ctx.body.text().then((text) => {
          kept.text = text;
          return new ResponseContext(ctx.httpStatusCode, ctx.headers, {
            text: async () => text,
            binary: async () => Buffer.from(text),
          });
        }),
      ),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

/** HTTP status of a failed list (ApiException.code) or watch (Error.statusCode), if any. */
export function statusOf(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const { code, statusCode } = e as { code?: unknown; statusCode?: unknown };
  return typeof code === "number" ? code : typeof statusCode === "number" ? statusCode : undefined;
}

/**
 * A short message: the Status message of an API error, or the "Message:" line of ApiException's
 * text (which also dumps the body and headers).
 */
export function describe(e: unknown): string {
  const body = (e as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === "string") return message;
    } catch {
      return body.slice(0, 200);
    }
  }
  if (!(e instanceof Error)) return String(e);
  const lines = e.message.split("\n");
  const message = lines.find((l) => l.startsWith("Message: "))?.slice("Message: ".length);
  return message && lines[0]?.startsWith("HTTP-Code: ") ? `${lines[0]}: ${message}` : lines[0]!;
}
