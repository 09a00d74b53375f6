/**
 * What an error costs. The rule: **drop the smallest unit whose meaning is lost.** Every error is
 * reported (the API server would reject the object); what the model still gets depends on whether
 * the object's meaning survives the error:
 *
 * | error                                                          | unit dropped  | why                                          |
 * |----------------------------------------------------------------|---------------|----------------------------------------------|
 * | invalid metadata.name / namespace format (NP2013)              | nothing       | a name only identifies the object            |
 * | an entry of a container's `ports` list                         | that entry    | the pod and its other ports are intact       |
 * | an entry of a Node's `status.addresses`                        | that entry    | the node and its other addresses are intact  |
 * | a Service port entry; an external or load balancer IP          | that entry    | the Service and its other ports are intact   |
 * | an Endpoints address or port; an EndpointSlice endpoint or port | that entry   | the other endpoints still serve              |
 * | an Ingress path (`rules[].http.paths[]`); a Route's alternate backend | that entry | each routes on its own                  |
 * | a cluster policy peer with no known field (NP2017)             | kept as `{}`  | the API defines it: the peer fails closed    |
 * | a missing selector of a cluster policy's `pods`                | read as `{}`  | Go's zero value: "if empty, it selects all"  |
 * | a workload selector that misses its template (NP2005)          | nothing       | the pods are the template's (pods.ts)        |
 * | what a check marks `none` (cluster-policy.ts, services.ts, ...) | nothing      | see the check's table                        |
 * | anything else (selectors, CIDRs, policy ports, cluster IPs, ...) | the object  | a partial object would mean something else   |
 *
 * Kinds and paths are those of the rule table below; a check may set the cost of its own error
 * (Report.error's `cost`). Under `strict`, any error or warning costs the whole object (validate.ts).
 */
import { WORKLOAD_KINDS } from "./k8s.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Cost, Fault } from "./report.js";

type Rule = readonly [
  kinds: ReadonlySet<string> | "any",
  where: (f: Fault) => number | undefined,
  cost: Cost,
];

const POD_KINDS = new Set(["Pod", ...WORKLOAD_KINDS]);
const NODE = new Set(["Node"]);
const SERVICE = new Set(["Service"]);
const ENDPOINTS = new Set(["Endpoints"]);
const ENDPOINT_SLICE = new Set(["EndpointSlice"]);
const INGRESS = new Set(["Ingress"]);
const ROUTE = new Set(["Route"]);
const CLUSTER_POLICIES = new Set([
  "ClusterNetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
]);

/** Length of the path prefix that names a container port entry (`...containers[i].ports[j]`). */
function containerPortEntry(f: Fault): number | undefined {
  const p = f.path;
  const i = p.findIndex((s) => s === "containers" || s === "initContainers");
  return i >= 0 && p[i + 2] === "ports" && typeof p[i + 3] === "number" ? i + 4 : undefined;
}

function nodeAddressEntry(f: Fault): number | undefined {
  const p = f.path;
  return p[0] === "status" && p[1] === "addresses" && typeof p[2] === "number" ? 3 : undefined;
}

/**
 * Length of the path prefix naming a list item: `shape` is the path of the list's items, `*` for
 * any index (`["spec", "ports", "*"]` matches `spec.ports[2].targetPort`, giving 3).
 */
function listEntry(...shape: readonly string[]): (f: Fault) => number | undefined {
  return (f) => {
    const p = f.path;
    if (p.length < shape.length) return undefined;
    const ok = shape.every((s, i) => (s === "*" ? typeof p[i] === "number" : p[i] === s));
    return ok ? shape.length : undefined;
  };
}

/** `pods: {namespaceSelector: ...}` without podSelector, as the netpol-analyzer corpus writes it. */
function missingPodsSelector(f: Fault): number | undefined {
  const p = f.path;
  const last = p[p.length - 1];
  const missing = f.code === "NP2002" && p[p.length - 2] === "pods";
  return missing && (last === "podSelector" || last === "namespaceSelector") ? p.length : undefined;
}

function nameFormat(f: Fault): number | undefined {
  const p = f.path;
  return f.code === "NP2013" && p[0] === "metadata" && p.length === 2 ? 2 : undefined;
}

// biome-ignore format: a table reads best one rule per line
const RULES: readonly Rule[] = [
  ["any",            nameFormat,                                            "none"],
  [POD_KINDS,        containerPortEntry,                                    "entry"],
  [NODE,             nodeAddressEntry,                                      "entry"],
  [SERVICE,          listEntry("spec", "ports", "*"),                       "entry"],
  [SERVICE,          listEntry("spec", "externalIPs", "*"),                 "entry"],
  [SERVICE,          listEntry("status", "loadBalancer", "ingress", "*"),   "entry"],
  [ENDPOINTS,        listEntry("subsets", "*", "addresses", "*"),           "entry"],
  [ENDPOINTS,        listEntry("subsets", "*", "notReadyAddresses", "*"),   "entry"],
  [ENDPOINTS,        listEntry("subsets", "*", "ports", "*"),               "entry"],
  [ENDPOINT_SLICE,   listEntry("endpoints", "*"),                           "entry"],
  [ENDPOINT_SLICE,   listEntry("ports", "*"),                               "entry"],
  [INGRESS,          listEntry("spec", "rules", "*", "http", "paths", "*"), "entry"],
  [ROUTE,            listEntry("spec", "alternateBackends", "*"),           "entry"],
  [CLUSTER_POLICIES, missingPodsSelector,                                   "empty"],
];

/** What survives: nothing (`undefined`), or the object after these repairs (original paths). */
export interface Keep {
  readonly remove: readonly (readonly PathSegment[])[];
  readonly empty: readonly (readonly PathSegment[])[];
}

export function assess(kind: string, faults: readonly Fault[]): Keep | undefined {
  const remove = new Map<string, readonly PathSegment[]>();
  const empty = new Map<string, readonly PathSegment[]>();
  for (const f of faults) {
    let cost: Cost = f.cost ?? "object";
    let path = f.path;
    if (f.cost === undefined)
      for (const [kinds, where, c] of RULES) {
        if (kinds !== "any" && !kinds.has(kind)) continue;
        const n = where(f);
        if (n === undefined) continue;
        cost = c;
        path = f.path.slice(0, n);
        break;
      }
    if (cost === "object") return undefined;
    if (cost === "entry") remove.set(JSON.stringify(path), path);
    else if (cost === "empty") empty.set(JSON.stringify(path), path);
  }
  return { remove: [...remove.values()], empty: [...empty.values()] };
}

/** The object with the repairs applied, copying only what changes (the original keeps its positions). */
export function repair<T>(body: T, keep: Keep): T {
  let out: unknown = body;
  for (const p of keep.empty) out = updateAt(out, p, () => ({}));
  // Deepest lists first, so that paths into outer lists still hold their original indices.
  const lists = listsWithRemovals(keep);
  for (const { list, removed } of [...lists.values()].sort((a, b) => b.list.length - a.list.length))
    out = updateAt(out, list, (v) => (Array.isArray(v) ? v.filter((_, i) => !removed.includes(i)) : v));
  return out as T;
}

/** Maps a path in the repaired object to the same node's path in the original (for positions). */
export function originalPath(keep: Keep): (path: readonly PathSegment[]) => PathSegment[] {
  const lists = listsWithRemovals(keep);
  if (lists.size === 0) return (path) => [...path];
  return (path) => {
    const out: PathSegment[] = [];
    for (const seg of path) {
      const removed = typeof seg === "number" ? lists.get(JSON.stringify(out))?.removed : undefined;
      let index = seg;
      if (removed && typeof index === "number") for (const r of removed) if (r <= index) index++;
      out.push(index);
    }
    return out;
  };
}

function listsWithRemovals(keep: Keep): Map<string, { list: readonly PathSegment[]; removed: number[] }> {
  const lists = new Map<string, { list: readonly PathSegment[]; removed: number[] }>();
  for (const p of keep.remove) {
    const list = p.slice(0, -1);
    const key = JSON.stringify(list);
    const entry = lists.get(key) ?? { list, removed: [] };
    entry.removed.push(p[p.length - 1] as number);
    lists.set(key, entry);
  }
  for (const e of lists.values()) e.removed.sort((a, b) => a - b);
  return lists;
}

function updateAt(v: unknown, path: readonly PathSegment[], f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(v);
  const [head, ...rest] = path;
  if (Array.isArray(v) && typeof head === "number") {
    const copy = [...v];
    copy[head] = updateAt(v[head], rest, f);
    return copy;
  }
  if (isPlainObject(v) && typeof head === "string") return { ...v, [head]: updateAt(v[head], rest, f) };
  return v;
}
