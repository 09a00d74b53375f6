/**
 * The test oracle: NetworkPolicy v1 semantics evaluated directly on raw manifests, one connection at
 * a time, written from the Kubernetes API reference (networking.k8s.io/v1 NetworkPolicy, meta/v1
 * LabelSelector) without any code from src/model. Slow and obvious on purpose.
 *
 * allowed(S → D, proto, port) iff egressOk && ingressOk, where
 *   egressOk  = S is an address, or S is an unpoliced hostNetwork pod, or no Egress-type policy selects S,
 *               or some egress rule of such a policy matches (D, proto, port);
 *   ingressOk = the same with Ingress, D, and ingress rules matching (S, proto, port).
 * Named ports always resolve against the *destination* pod, in both directions.
 */
import type {
  LabelSelector,
  Labels,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Protocol,
} from "../../../src/parser/index.js";
import type { Case, RawNamespace, RawPod, RawPolicy } from "./case.js";
import { cidrHas, type Ip, parseCidr, parseIp } from "./ip.js";

/**
 * The two semantic choices the API leaves to the plugin (mirrors ModelOptions):
 * - ipBlockPods: `include` — an ipBlock also matches pods whose IP (any of them) it contains;
 *   `exclude` — an ipBlock matches only addresses outside the cluster's pods.
 * - hostNetwork: `node` — hostNetwork pods are indistinguishable from their node: no pod or namespace
 *   selector matches them, as subject or as peer (an ipBlock still may); `distinguish` — policed like
 *   any other pod.
 */
export interface Semantics {
  readonly ipBlockPods: "include" | "exclude";
  readonly hostNetwork: "node" | "distinguish";
}
export type Endpoint = { readonly pod: RawPod } | { readonly ip: string };

const NAME_LABEL = "kubernetes.io/metadata.name";

/** meta/v1 LabelSelector: every matchLabels pair and every expression must hold ({} matches all). */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  const has = (k: string) => Object.hasOwn(labels, k);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (!has(k) || labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const vals = e.values ?? [];
    const ok =
      e.operator === "In"
        ? has(e.key) && vals.includes(labels[e.key]!)
        : e.operator === "NotIn"
          ? !has(e.key) || !vals.includes(labels[e.key]!)
          : e.operator === "Exists"
            ? has(e.key)
            : !has(e.key);
    if (!ok) return false;
  }
  return true;
}

/**
 * API server defaulting (SetDefaults_NetworkPolicy): an empty or absent policyTypes means Ingress,
 * plus Egress if the egress list is non-empty.
 */
export function policyTypesOf(p: RawPolicy): readonly string[] {
  const t = p.spec.policyTypes;
  if (t && t.length > 0) return t;
  return (p.spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

export class Oracle {
  private readonly nsLabels = new Map<string, Labels>();
  private readonly policies: readonly RawPolicy[];
  private readonly selectingMemo = {
    Ingress: new Map<RawPod, readonly RawPolicy[]>(),
    Egress: new Map<RawPod, readonly RawPolicy[]>(),
  };
  private readonly peersMemo = new Map<RawPolicy, Map<object, Map<RawPod | string, boolean>>>();

  constructor(
    c: Case,
    private readonly sem: Semantics,
  ) {
    for (const o of c.objects)
      if (o.kind === "Namespace") {
        const ns = o as RawNamespace;
        // The API server sets kubernetes.io/metadata.name on every namespace (and it wins).
        this.nsLabels.set(ns.metadata.name, {
          ...(ns.metadata.labels ?? {}),
          [NAME_LABEL]: ns.metadata.name,
        });
      }
    this.policies = c.objects.filter((o): o is RawPolicy => o.kind === "NetworkPolicy");
  }

  /** A namespace's labels as the API server keeps them (implied namespaces carry only their name). */
  namespaceLabels(ns: string): Labels {
    return this.nsLabels.get(ns) ?? { [NAME_LABEL]: ns };
  }

  /** A hostNetwork pod under `node`: never selected by pod/namespace selectors, never isolated. */
  private unpoliced(pod: RawPod): boolean {
    return this.sem.hostNetwork === "node" && pod.spec.hostNetwork === true;
  }

  allowed(src: Endpoint, dst: Endpoint, proto: Protocol, port: number): boolean {
    return this.egressOk(src, dst, proto, port) && this.ingressOk(src, dst, proto, port);
  }

  /** Policies of the type selecting the pod. Memoised per pod: answers do not depend on the port. */
  private selecting(type: "Ingress" | "Egress", pod: RawPod): readonly RawPolicy[] {
    const memo = this.selectingMemo[type];
    let list = memo.get(pod);
    if (!list) {
      list = this.policies.filter((p) => policyTypesOf(p).includes(type) && this.selects(p, pod));
      memo.set(pod, list);
    }
    return list;
  }

  private egressOk(src: Endpoint, dst: Endpoint, proto: Protocol, port: number): boolean {
    return this.npTier("Egress", src, dst, proto, port) ?? true;
  }

  private ingressOk(src: Endpoint, dst: Endpoint, proto: Protocol, port: number): boolean {
    return this.npTier("Ingress", src, dst, proto, port) ?? true;
  }

  /**
   * The NetworkPolicy tier alone, in one direction (the subject is the source for Egress, the
   * destination for Ingress): undefined when no policy of that type selects the subject (an address,
   * an unpoliced hostNetwork pod, or a pod no policy isolates), else whether some rule allows.
   * The tier oracle (naive-tiers.ts) calls this between its Admin and Baseline tiers.
   */
  npTier(
    type: "Ingress" | "Egress",
    src: Endpoint,
    dst: Endpoint,
    proto: Protocol,
    port: number,
  ): boolean | undefined {
    const subject = type === "Egress" ? src : dst;
    const other = type === "Egress" ? dst : src;
    if (!("pod" in subject)) return undefined;
    const selecting = this.selecting(type, subject.pod);
    if (selecting.length === 0) return undefined;
    return selecting.some((p) =>
      type === "Egress"
        ? (p.spec.egress ?? []).some(
            (r) => this.peersMatch(p, r.to, other) && portsMatch(r.ports, dst, proto, port),
          )
        : (p.spec.ingress ?? []).some(
            (r) => this.peersMatch(p, r.from, other) && portsMatch(r.ports, dst, proto, port),
          ),
    );
  }

  /** A policy's podSelector picks pods of the policy's own namespace. */
  private selects(p: RawPolicy, pod: RawPod): boolean {
    return (
      !this.unpoliced(pod) &&
      nsOf(pod) === nsOf(p) &&
      selectorMatches(p.spec.podSelector ?? {}, pod.metadata.labels ?? {})
    );
  }

  /** from/to absent or []: everything. Otherwise the peers are ORed. (Memoised per list and endpoint.) */
  private peersMatch(p: RawPolicy, peers: readonly NetworkPolicyPeer[] | undefined, ep: Endpoint): boolean {
    if (!peers || peers.length === 0) return true;
    // Keyed by policy too: a podSelector-only peer means the policy's own namespace.
    let byList = this.peersMemo.get(p);
    if (!byList) {
      byList = new Map();
      this.peersMemo.set(p, byList);
    }
    let memo = byList.get(peers);
    if (!memo) {
      memo = new Map();
      byList.set(peers, memo);
    }
    const key = "pod" in ep ? ep.pod : ep.ip;
    let hit = memo.get(key);
    if (hit === undefined) {
      hit = peers.some((peer) => this.peerMatches(p, peer, ep));
      memo.set(key, hit);
    }
    return hit;
  }

  private peerMatches(p: RawPolicy, peer: NetworkPolicyPeer, ep: Endpoint): boolean {
    if (peer.ipBlock) {
      const block = peer.ipBlock;
      const inBlock = (ip: Ip) =>
        cidrHas(parseCidr(block.cidr), ip) && !(block.except ?? []).some((e) => cidrHas(parseCidr(e), ip));
      if ("ip" in ep) return inBlock(parseIp(ep.ip));
      return this.sem.ipBlockPods === "include" && podIps(ep.pod).some((ip) => inBlock(parseIp(ip)));
    }
    // A peer with neither selector (and no ipBlock) is invalid upstream; it matches nothing here.
    if (!peer.podSelector && !peer.namespaceSelector) return false;
    if (!("pod" in ep) || this.unpoliced(ep.pod)) return false;
    const pod = ep.pod;
    // podSelector alone: the policy's namespace. namespaceSelector alone: every pod there. Both: AND.
    const nsOk = peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, this.namespaceLabels(nsOf(pod)))
      : nsOf(pod) === nsOf(p);
    const podOk = peer.podSelector ? selectorMatches(peer.podSelector, pod.metadata.labels ?? {}) : true;
    return nsOk && podOk;
  }
}

/** ports absent or []: every protocol and port. Entries are ORed; protocol defaults to TCP. */
function portsMatch(
  ports: readonly NetworkPolicyPort[] | undefined,
  dst: Endpoint,
  proto: Protocol,
  port: number,
): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((pp) => {
    const ppProto = pp.protocol ?? "TCP";
    if (ppProto !== proto) return false;
    if (pp.port === undefined) return true;
    if (typeof pp.port === "number") return pp.port <= port && port <= (pp.endPort ?? pp.port);
    // Named port: a container port of the destination pod with that name and the rule's protocol.
    if (!("pod" in dst)) return false;
    return (dst.pod.spec.containers ?? []).some((c) =>
      (c.ports ?? []).some(
        (cp) => cp.name === pp.port && (cp.protocol ?? "TCP") === proto && cp.containerPort === port,
      ),
    );
  });
}

export function nsOf(o: { metadata: { namespace?: string } }): string {
  return o.metadata.namespace ?? "default";
}

export function podIps(p: RawPod): string[] {
  const ips = [p.status?.podIP, ...(p.status?.podIPs ?? []).map((x) => x.ip)].filter((x): x is string => !!x);
  return [...new Set(ips)];
}
