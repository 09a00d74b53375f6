/**
 * The test oracle: NetworkPolicy v1 semantics evaluated directly on raw manifests, one connection at
 * a time, written from the Kubernetes API reference (networking.k8s.io/v1 NetworkPolicy, meta/v1
 * LabelSelector) without any code from src/model. Slow and obvious on purpose.
 *
 * allowed(S → D, proto, port) iff egressOk && ingressOk, where
 *   egressOk  = S is an address, or S is hostNetwork, or no Egress-type policy selects S,
 *               or some egress rule of such a policy matches (D, proto, port);
 *   ingressOk = the same with Ingress, D, and ingress rules matching (S, proto, port).
 * Named ports always resolve against the *destination* pod, in both directions.
 */
import type { LabelSelector, Labels, NetworkPolicyPeer, NetworkPolicyPort, Protocol } from "../../../src/parser/index.js";
import type { Case, RawNamespace, RawPod, RawPolicy } from "./case.js";
import { cidrHas, type Ip, parseCidr, parseIp } from "./ip.js";

export type IpBlockMode = "include" | "exclude";
export type Endpoint = { readonly pod: RawPod } | { readonly ip: string };

const NAME_LABEL = "kubernetes.io/metadata.name";

/** meta/v1 LabelSelector: every matchLabels pair and every expression must hold ({} matches all). */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
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

/** API server defaulting: an empty or absent policyTypes means Ingress, plus Egress if egress is non-empty. */
export function policyTypesOf(p: RawPolicy): readonly string[] {
  const t = p.spec.policyTypes;
  if (t && t.length > 0) return t;
  return (p.spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

export class Oracle {
  private readonly nsLabels = new Map<string, Labels>();
  private readonly policies: readonly RawPolicy[];

  constructor(c: Case) {
    for (const o of c.objects)
      if (o.kind === "Namespace") {
        const ns = o as RawNamespace;
        // The API server sets kubernetes.io/metadata.name on every namespace (and it wins).
        this.nsLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAME_LABEL]: ns.metadata.name });
      }
    this.policies = c.objects.filter((o): o is RawPolicy => o.kind === "NetworkPolicy");
  }

  private namespaceLabels(ns: string): Labels {
    return this.nsLabels.get(ns) ?? { [NAME_LABEL]: ns };
  }

  allowed(src: Endpoint, dst: Endpoint, proto: Protocol, port: number, mode: IpBlockMode): boolean {
    return this.egressOk(src, dst, proto, port, mode) && this.ingressOk(src, dst, proto, port, mode);
  }

  private egressOk(src: Endpoint, dst: Endpoint, proto: Protocol, port: number, mode: IpBlockMode): boolean {
    if (!("pod" in src) || src.pod.spec.hostNetwork === true) return true;
    const selecting = this.policies.filter((p) => policyTypesOf(p).includes("Egress") && this.selects(p, src.pod));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (p.spec.egress ?? []).some(
        (r) => this.peersMatch(p, r.to, dst, mode) && portsMatch(r.ports, dst, proto, port),
      ),
    );
  }

  private ingressOk(src: Endpoint, dst: Endpoint, proto: Protocol, port: number, mode: IpBlockMode): boolean {
    if (!("pod" in dst) || dst.pod.spec.hostNetwork === true) return true;
    const selecting = this.policies.filter((p) => policyTypesOf(p).includes("Ingress") && this.selects(p, dst.pod));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (p.spec.ingress ?? []).some(
        (r) => this.peersMatch(p, r.from, src, mode) && portsMatch(r.ports, dst, proto, port),
      ),
    );
  }

  /** A policy's podSelector picks pods of the policy's own namespace; never hostNetwork pods. */
  private selects(p: RawPolicy, pod: RawPod): boolean {
    return (
      pod.spec.hostNetwork !== true &&
      nsOf(pod) === nsOf(p) &&
      selectorMatches(p.spec.podSelector ?? {}, pod.metadata.labels ?? {})
    );
  }

  /** from/to absent or []: everything. Otherwise the peers are ORed. */
  private peersMatch(
    p: RawPolicy,
    peers: readonly NetworkPolicyPeer[] | undefined,
    ep: Endpoint,
    mode: IpBlockMode,
  ): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => this.peerMatches(p, peer, ep, mode));
  }

  private peerMatches(p: RawPolicy, peer: NetworkPolicyPeer, ep: Endpoint, mode: IpBlockMode): boolean {
    if (peer.ipBlock) {
      const block = peer.ipBlock;
      const inBlock = (ip: Ip) =>
        cidrHas(parseCidr(block.cidr), ip) && !(block.except ?? []).some((e) => cidrHas(parseCidr(e), ip));
      if ("ip" in ep) return inBlock(parseIp(ep.ip));
      return mode === "include" && podIps(ep.pod).some((ip) => inBlock(parseIp(ip)));
    }
    // A peer with neither selector (and no ipBlock) is invalid upstream; it matches nothing here.
    if (!peer.podSelector && !peer.namespaceSelector) return false;
    if (!("pod" in ep) || ep.pod.spec.hostNetwork === true) return false;
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
        (cp) => cp.name === pp.port && cp.containerPort === port,
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
