/**
 * Exposure: what pods and namespaces that do not exist in the input yet could reach each workload,
 * and what each workload could reach among them.
 *
 * Every pod peer of every rule (all tiers) names a kind of peer, e.g. "pods labelled app=x in
 * namespaces labelled team=y"; "entire cluster" stands for a pod with no labels in a new namespace
 * with no labels. For each such description netpolc adds one hypothetical pod that carries exactly
 * the labels the description requires (and a new namespace unless the description names an
 * existing one), runs the ordinary engine, and reports the connections between the hypothetical
 * pods and the real workloads. The answer is therefore exact for that hypothetical pod; a new pod
 * with further labels may match further rules (the solver answers for every possible pod).
 */
import type { SourceRef } from "../common/index.js";
import { NAMESPACE_NAME_LABEL } from "./build.js";
import { EMPTY_ID } from "./conn-table.js";
import { type ClusterPeer, clusterPeers, type PeerRef } from "./connectivity.js";
import { analyze } from "./engine.js";
import type { ConnSet } from "./ports.js";
import type { Cluster, Direction, LabelSelector, Labels, ModelOptions, Namespace, Pod } from "./types.js";

export interface HypotheticalPeer {
  /** An existing namespace, or a new one with these labels. */
  readonly namespace:
    | { readonly kind: "existing"; readonly name: string }
    | { readonly kind: "new"; readonly labels: Labels };
  readonly podLabels: Labels;
  /** `entire-cluster`, or `[namespace with {…}]/[pod with {…}]`. */
  readonly display: string;
}

export interface ExposureEntry {
  readonly workload: PeerRef;
  /** ingress: the hypothetical peer reaches the workload; egress: the workload reaches it. */
  readonly direction: Direction;
  readonly peer: HypotheticalPeer;
  readonly conn: ConnSet;
}

const HYPOTHETICAL_NS = "netpolc-hypothetical-ns";

/** The smallest label set satisfying a selector, or undefined when no label set does. */
export function minimalLabels(s: LabelSelector): Labels | undefined {
  const out: Record<string, string> = { ...(s.matchLabels ?? {}) };
  for (const r of s.matchExpressions ?? []) {
    if (r.operator === "In") {
      const have = out[r.key];
      if (have !== undefined && !(r.values ?? []).includes(have)) return undefined;
      if (have === undefined) out[r.key] = (r.values ?? [])[0] ?? "";
    } else if (r.operator === "Exists" && out[r.key] === undefined) out[r.key] = "";
  }
  for (const r of s.matchExpressions ?? []) {
    const has = Object.hasOwn(out, r.key);
    if (r.operator === "DoesNotExist" && has) return undefined;
    if (r.operator === "NotIn" && has && (r.values ?? []).includes(out[r.key]!)) return undefined;
  }
  return out;
}

/** kubectl's selector syntax: `a=b,c in (d,e),f notin (g),h,!i`. */
export function selectorText(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions ?? []) {
    const values = (r.values ?? []).join(",");
    if (r.operator === "In") parts.push(`${r.key} in (${values})`);
    else if (r.operator === "NotIn") parts.push(`${r.key} notin (${values})`);
    else if (r.operator === "Exists") parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(",");
}

function describe(ns: { name?: string; selector?: LabelSelector }, pods: LabelSelector): string {
  const podText = selectorText(pods);
  const podPart = podText === "" ? "all pods" : `pod with {${podText}}`;
  if (ns.name !== undefined) return `${ns.name}/[${podPart}]`;
  const nsText = selectorText(ns.selector ?? {});
  if (nsText === "" && podText === "") return "entire-cluster";
  return `[${nsText === "" ? "all namespaces" : `namespace with {${nsText}}`}]/[${podPart}]`;
}

/** The hypothetical peers named by the rules of every policy, plus "entire cluster". */
export function hypotheticalPeers(cluster: Cluster): HypotheticalPeer[] {
  const out = new Map<string, HypotheticalPeer>();
  const add = (namespace: HypotheticalPeer["namespace"], podLabels: Labels, display: string) => {
    if (!out.has(display)) out.set(display, { namespace, podLabels, display });
  };
  add({ kind: "new", labels: {} }, {}, "entire-cluster");
  const rules = [...cluster.policies, ...cluster.clusterPolicies].flatMap((p) => [...p.ingress, ...p.egress]);
  for (const r of rules)
    for (const peer of r.peers) {
      if (peer.kind !== "pods") continue;
      const pods = minimalLabels(peer.pods);
      if (!pods) continue;
      if (peer.namespaces.kind === "same") {
        const name = peer.namespaces.namespace;
        add({ kind: "existing", name }, pods, describe({ name }, peer.pods));
        continue;
      }
      const ns = minimalLabels(peer.namespaces.selector);
      if (!ns) continue;
      const named = ns[NAMESPACE_NAME_LABEL];
      if (named !== undefined)
        add({ kind: "existing", name: named }, pods, describe({ name: named }, peer.pods));
      else
        add({ kind: "new", labels: ns }, pods, describe({ selector: peer.namespaces.selector }, peer.pods));
    }
  return [...out.values()].sort((a, b) => a.display.localeCompare(b.display));
}

export function exposure(cluster: Cluster, options: Partial<ModelOptions> = {}): ExposureEntry[] {
  // 1. One hypothetical pod per description, in its own new namespace when needed.
  const peers = hypotheticalPeers(cluster);
  const source: SourceRef = { file: "<hypothetical>", line: 0, column: 0 };
  const namespaces: Namespace[] = [...cluster.namespaces];
  const known = new Set(cluster.namespaces.map((n) => n.name));
  const pods: Pod[] = [];
  peers.forEach((h, i) => {
    let ns: string;
    if (h.namespace.kind === "existing") {
      ns = h.namespace.name;
      if (!known.has(ns)) {
        known.add(ns);
        namespaces.push({ name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns }, implied: true });
      }
    } else {
      ns = `${HYPOTHETICAL_NS}-${i}`;
      namespaces.push({
        name: ns,
        labels: { ...h.namespace.labels, [NAMESPACE_NAME_LABEL]: ns },
        implied: true,
      });
    }
    pods.push({
      namespace: ns,
      name: `netpolc-hypothetical-pod-${i}`,
      labels: h.podLabels,
      ports: [],
      ips: [],
      hostNetwork: false,
      workload: { namespace: ns, name: `netpolc-hypothetical-pod-${i}`, kind: "Pod" },
      fromTemplate: false,
      ready: true,
      source,
    });
  });
  const extended: Cluster = { ...cluster, namespaces, pods: [...cluster.pods, ...pods] };
  // 2. The ordinary engine over the extended cluster.
  const a = analyze(extended, options);
  const hypothetical = new Set(pods.map((p) => `${p.namespace}/${p.name}`));
  const isReal = (w: ClusterPeer) =>
    w.ref.kind !== "workload" || !hypothetical.has(`${w.ref.namespace}/${w.ref.name}`);
  const firstHypothetical = cluster.pods.length;
  const hypoClass = pods.map((_, i) => a.index.classOfPod[firstHypothetical + i]!);
  const union = (srcs: readonly number[], dsts: readonly number[]) => {
    let id = EMPTY_ID;
    for (const s of srcs) for (const d of dsts) id = a.conns.union(id, a.connId(s, d));
    return id;
  };
  // 3. Connections between each real workload and each hypothetical pod.
  const out: ExposureEntry[] = [];
  for (const w of clusterPeers(a, "workload").filter(isReal))
    for (const direction of ["egress", "ingress"] as const)
      peers.forEach((peer, i) => {
        const id =
          direction === "ingress" ? union([hypoClass[i]!], w.classes) : union(w.classes, [hypoClass[i]!]);
        if (id !== EMPTY_ID) out.push({ workload: w.ref, direction, peer, conn: a.conns.get(id) });
      });
  return out;
}
