/**
 * The kinds netpolc knows, by API group. A kind is identified by group and kind: Calico's
 * `projectcalico.org/v3 NetworkPolicy` is a different kind from `networking.k8s.io/v1 NetworkPolicy`
 * and is skipped as unknown. A known group/kind at a version the API server no longer serves
 * (e.g. `extensions/v1beta1 NetworkPolicy`, removed in Kubernetes 1.16) is rejected, as the server does.
 */

/** Name formats of metadata.name: DNS-1123 subdomain or label, DNS-1035 label (Services), or any. */
export type NameRule = "dns-subdomain" | "dns-label" | "dns-1035-label" | "any";

export interface KindSpec {
  readonly kind: string;
  readonly group: string;
  /** Served versions; the first is the one to suggest. */
  readonly versions: readonly string[];
  /** apiVersions this kind was once served at (possibly in another group) and no longer is. */
  readonly removed?: readonly string[];
  readonly namespaced: boolean;
  /** `true`: validated fully and handed to the model; `false`: checked lightly and kept in `others`. */
  readonly modelled: boolean;
  readonly name: NameRule;
}

const APPS_REMOVED = ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"];

/** `kind`, served `apiVersion`, scope, whether the model interprets it, name rule, removed apiVersions. */
function k(
  kind: string,
  apiVersion: string,
  scope: "namespaced" | "cluster",
  use: "model" | "keep",
  name: NameRule,
  removed?: readonly string[],
): KindSpec {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const versions = [apiVersion.slice(slash + 1)];
  return {
    kind,
    group,
    versions,
    removed,
    namespaced: scope === "namespaced",
    modelled: use === "model",
    name,
  };
}

// biome-ignore format: a table reads best one kind per line
const SPECS: readonly KindSpec[] = [
  k("Namespace",                  "v1",                                "cluster",    "model", "dns-label"),
  k("Pod",                        "v1",                                "namespaced", "model", "dns-subdomain"),
  k("ReplicationController",      "v1",                                "namespaced", "model", "dns-subdomain"),
  k("Deployment",                 "apps/v1",                           "namespaced", "model", "dns-subdomain", APPS_REMOVED),
  k("ReplicaSet",                 "apps/v1",                           "namespaced", "model", "dns-subdomain", APPS_REMOVED),
  k("StatefulSet",                "apps/v1",                           "namespaced", "model", "dns-subdomain", APPS_REMOVED),
  k("DaemonSet",                  "apps/v1",                           "namespaced", "model", "dns-subdomain", APPS_REMOVED),
  k("Job",                        "batch/v1",                          "namespaced", "model", "dns-subdomain"),
  k("CronJob",                    "batch/v1",                          "namespaced", "model", "dns-subdomain", ["batch/v1beta1", "batch/v2alpha1"]),
  k("NetworkPolicy",              "networking.k8s.io/v1",              "namespaced", "model", "dns-subdomain", ["extensions/v1beta1"]),
  k("Service",                    "v1",                                "namespaced", "model", "dns-1035-label"),
  k("Endpoints",                  "v1",                                "namespaced", "model", "dns-subdomain"),
  k("Node",                       "v1",                                "cluster",    "model", "dns-subdomain"),
  k("EndpointSlice",              "discovery.k8s.io/v1",               "namespaced", "model", "dns-subdomain", ["discovery.k8s.io/v1beta1"]),
  k("Ingress",                    "networking.k8s.io/v1",              "namespaced", "model", "dns-subdomain", ["extensions/v1beta1", "networking.k8s.io/v1beta1"]),
  k("Route",                      "route.openshift.io/v1",             "namespaced", "model", "dns-subdomain"),
  k("AdminNetworkPolicy",         "policy.networking.k8s.io/v1alpha1", "cluster",    "model", "dns-subdomain"),
  k("BaselineAdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1", "cluster",    "model", "dns-subdomain"),
  k("ClusterNetworkPolicy",       "policy.networking.k8s.io/v1alpha2", "cluster",    "model", "dns-subdomain"),
];

const BY_KIND = new Map(SPECS.map((s) => [s.kind, s]));

export const KNOWN_KINDS: readonly string[] = SPECS.map((s) => s.kind);

export type Classification =
  | { readonly status: "served"; readonly spec: KindSpec }
  | { readonly status: "unserved"; readonly spec: KindSpec }
  | { readonly status: "unknown" };

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function classify(apiVersion: string, kind: string): Classification {
  const spec = BY_KIND.get(kind);
  if (!spec) return { status: "unknown" };
  if (spec.removed?.includes(apiVersion)) return { status: "unserved", spec };
  if (groupOf(apiVersion) !== spec.group) return { status: "unknown" };
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  return spec.versions.includes(version) ? { status: "served", spec } : { status: "unserved", spec };
}

export function specOf(kind: string): KindSpec | undefined {
  return BY_KIND.get(kind);
}

/** The apiVersion to suggest for a known kind. */
export function preferredApiVersion(spec: KindSpec | undefined): string {
  if (!spec) return "v1";
  const v = spec.versions[0] ?? "v1";
  return spec.group === "" ? v : `${spec.group}/${v}`;
}

/**
 * `PodList` → `Pod`: the kind of the items of a typed list (whose items may omit apiVersion and kind,
 * as `kubectl get -o json` prints them). A generic `List` gives no kind.
 */
export function itemKindOf(listKind: string): string | undefined {
  return listKind === "List" || !listKind.endsWith("List") ? undefined : listKind.slice(0, -4);
}
