/**
 * The tier oracle: ClusterNetworkPolicy v1alpha2 (and its v1alpha1 predecessors AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy) evaluated directly on raw manifests, one connection at a time, written
 * from the API docs quoted in test/conformance/cnp/README.md ("ClusterNetworkPolicy v1alpha2
 * semantics") without any code from src/model. The NetworkPolicy tier is the NetworkPolicy oracle
 * (naive.ts). Slow and obvious on purpose.
 *
 * allowed(S → D, proto, port) iff decide(egress) && decide(ingress). In each direction the subject is
 * S (egress) or D (ingress), the peer is the other end:
 *   0. An address, or a hostNetwork pod (mode `node`), is no subject of any tier: allowed.
 *   1. Admin tier: the Admin policies selecting the subject, by (priority, kind, name), their rules of
 *      the direction in written order; the first rule whose peer matches the other end and whose ports
 *      match (proto, port) decides: Accept → allowed, Deny → denied, Pass → step 2. No match → step 2.
 *   2. NetworkPolicy tier: when a NetworkPolicy of the direction's type selects the subject, it
 *      decides (allowed iff one of their rules allows).
 *   3. Baseline tier: first match as in 1; Accept → allowed, Deny → denied, Pass or no match → allowed.
 * A policy with no rules in a direction has nothing to match there, so "CNPs with no ingress rules do
 * not affect ingress traffic" needs no special case. Equal priorities are left to the implementation
 * by the API; the oracle breaks ties by kind then name, as netpolc documents it does.
 *
 * Peer table (the other end of the connection):
 * | peer                | matches                                                                   |
 * |---------------------|---------------------------------------------------------------------------|
 * | namespaces: S       | pods in namespaces whose labels match S; never hostNetwork pods           |
 * | pods: {nsSel, pSel} | pods matching pSel in namespaces matching nsSel; never hostNetwork pods   |
 * | networks: [CIDR]    | addresses in a CIDR; pods with an IP in one too under ipBlockPods=include |
 * | nodes: S            | InternalIP/ExternalIP of Nodes whose labels match S; under include also   |
 * |                     | pods holding such an address (hostNetwork pods)                           |
 * | domainNames         | nothing known statically                                                  |
 * | no known field      | fail closed: nothing in an Accept rule; a Deny/Pass rule is "Deny all"    |
 * Ports: absent (or empty) matches every protocol and port. Named ports (v1alpha2
 * destinationNamedPort, v1alpha1 namedPort) match the destination pod's container ports of that
 * name, whatever their protocol; towards an address they match nothing.
 */
import type { LabelSelector, Labels, Protocol } from "../../../src/parser/index.js";
import { type Case, clusterPoliciesOf, nodesOf, type RawClusterPolicy, type RawPod } from "./case.js";
import { cidrHas, parseCidr, parseIp } from "./ip.js";
import { type Endpoint, nsOf, Oracle, podIps, selectorMatches } from "./naive.js";

export type IpBlockPods = "include" | "exclude";
type Action = "accept" | "deny" | "pass";
type Direction = "ingress" | "egress";
type RawRule = NonNullable<RawClusterPolicy["spec"]["ingress"]>[number];
type RawPeer = NonNullable<RawRule["from"]>[number];
type RawProtocol = NonNullable<RawRule["protocols"]>[number];
type RawPort = NonNullable<RawRule["ports"]>[number];
type MatchedRule = { readonly action: Action; readonly rule: RawRule };

/** Which tier a policy belongs to: v1alpha1 kinds by kind, v1alpha2 by spec.tier. */
function tierOf(p: RawClusterPolicy): "admin" | "baseline" {
  if (p.kind === "AdminNetworkPolicy") return "admin";
  if (p.kind === "BaselineAdminNetworkPolicy") return "baseline";
  return p.spec.tier === "Baseline" ? "baseline" : "admin";
}

/** v1alpha1 spells Accept `Allow`. */
function actionOf(a: string): Action {
  if (a === "Accept" || a === "Allow") return "accept";
  if (a === "Deny") return "deny";
  if (a === "Pass") return "pass";
  throw new Error(`oracle: unknown action ${a}`);
}

/** Evaluation order within a tier: lower priority first; ties by kind, then name. */
function evaluationOrder(list: readonly RawClusterPolicy[]): RawClusterPolicy[] {
  const key = (p: RawClusterPolicy) => [p.spec.priority ?? 0, p.kind, p.metadata.name] as const;
  return [...list].sort((a, b) => {
    const [pa, ka, na] = key(a);
    const [pb, kb, nb] = key(b);
    if (pa !== pb) return pa - pb;
    if (ka !== kb) return ka < kb ? -1 : 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

export class TierOracle {
  private readonly np: Oracle;
  private readonly admin: readonly RawClusterPolicy[];
  private readonly baseline: readonly RawClusterPolicy[];
  /** Addresses of every Node, with its labels, as `family:value` keys. */
  private readonly nodes: readonly { labels: Labels; addresses: ReadonlySet<string> }[];
  /** rulesMatchingPeer's answers by `tier direction`, subject, then other end (pod or address). */
  private readonly memo = new Map<string, Map<RawPod, Map<RawPod | string, readonly MatchedRule[]>>>();

  constructor(
    c: Case,
    private readonly ipBlockPods: IpBlockPods,
  ) {
    this.np = new Oracle(c, { ipBlockPods, hostNetwork: "node" });
    const cps = clusterPoliciesOf(c);
    this.admin = evaluationOrder(cps.filter((p) => tierOf(p) === "admin"));
    this.baseline = evaluationOrder(cps.filter((p) => tierOf(p) === "baseline"));
    this.nodes = nodesOf(c).map((n) => ({
      labels: n.metadata.labels ?? {},
      addresses: new Set(
        (n.status?.addresses ?? [])
          .filter((a) => a.type === "InternalIP" || a.type === "ExternalIP")
          .map((a) => ipKey(a.address)),
      ),
    }));
  }

  allowed(src: Endpoint, dst: Endpoint, proto: Protocol, port: number): boolean {
    return this.decide("egress", src, dst, proto, port) && this.decide("ingress", src, dst, proto, port);
  }

  /** One direction through the tiers (steps 0–3 of the header). */
  decide(dir: Direction, src: Endpoint, dst: Endpoint, proto: Protocol, port: number): boolean {
    const subject = dir === "egress" ? src : dst;
    // 0. Addresses and hostNetwork pods are never subjects (the NetworkPolicy oracle agrees).
    if (!("pod" in subject) || subject.pod.spec.hostNetwork === true) return true;
    // 1. Admin.
    const admin = this.firstMatch(this.admin, dir, subject.pod, src, dst, proto, port);
    if (admin === "accept") return true;
    if (admin === "deny") return false;
    // 2. NetworkPolicy.
    const np = this.np.npTier(dir === "egress" ? "Egress" : "Ingress", src, dst, proto, port);
    if (np !== undefined) return np;
    // 3. Baseline, then the default allow.
    return this.firstMatch(this.baseline, dir, subject.pod, src, dst, proto, port) !== "deny";
  }

  /** The action of the first rule, of the tier's policies selecting the subject, that matches. */
  private firstMatch(
    policies: readonly RawClusterPolicy[],
    dir: Direction,
    subject: RawPod,
    src: Endpoint,
    dst: Endpoint,
    proto: Protocol,
    port: number,
  ): Action | undefined {
    const other = dir === "egress" ? dst : src;
    for (const { action, rule } of this.rulesMatchingPeer(policies, dir, subject, other))
      if (portsMatch(rule, dst, proto, port)) return action;
    return undefined;
  }

  /**
   * The rules, in evaluation order, of the policies selecting the subject whose peers match the
   * other end. Port-independent, so memoised per (tier, direction, subject, other end).
   */
  private rulesMatchingPeer(
    policies: readonly RawClusterPolicy[],
    dir: Direction,
    subject: RawPod,
    other: Endpoint,
  ): readonly MatchedRule[] {
    const tier = `${policies === this.admin ? "admin" : "baseline"} ${dir}`;
    const byOther = memoised(
      memoised(this.memo, tier, () => new Map()),
      subject,
      () => new Map(),
    );
    return memoised(byOther, "pod" in other ? other.pod : other.ip, () => {
      const list: MatchedRule[] = [];
      for (const p of policies) {
        if (!this.selects(p, subject)) continue;
        for (const rule of p.spec[dir] ?? []) {
          const action = actionOf(rule.action);
          const peers = (dir === "egress" ? rule.to : rule.from) ?? [];
          const unknown = peers.some((peer) => !(peer.namespaces || peer.pods || peer.networks || peer.nodes || peer.domainNames));
          // Fail closed (v1alpha2 docs): a Deny or Pass rule with such a peer is a "Deny all" rule.
          if (action !== "accept" && unknown) list.push({ action: "deny", rule: { ...rule, protocols: undefined, ports: undefined } });
          else if (peers.some((peer) => this.peerMatches(peer, action, other))) list.push({ action, rule });
        }
      }
      return list;
    });
  }

  /** Subject: `namespaces` (every pod there) or `pods` (both selectors); never hostNetwork pods. */
  private selects(p: RawClusterPolicy, pod: RawPod): boolean {
    const s = p.spec.subject;
    if (s.namespaces) return this.inNamespaces(pod, s.namespaces);
    if (s.pods)
      return this.inNamespaces(pod, s.pods.namespaceSelector) && labelsMatch(s.pods.podSelector, pod);
    throw new Error(`oracle: ${p.metadata.name} has no subject`);
  }

  private inNamespaces(pod: RawPod, sel: LabelSelector): boolean {
    return selectorMatches(sel, this.np.namespaceLabels(nsOf(pod)));
  }

  private peerMatches(peer: RawPeer, action: Action, ep: Endpoint): boolean {
    const selectable = "pod" in ep && ep.pod.spec.hostNetwork !== true;
    if (peer.namespaces) return selectable && this.inNamespaces(ep.pod, peer.namespaces);
    if (peer.pods)
      return (
        selectable &&
        this.inNamespaces(ep.pod, peer.pods.namespaceSelector) &&
        labelsMatch(peer.pods.podSelector, ep.pod)
      );
    if (peer.networks) {
      const cidrs = peer.networks.map(parseCidr);
      return this.hasAddress(ep, (ip) => cidrs.some((c) => cidrHas(c, parseIp(ip))));
    }
    if (peer.nodes) {
      const sel = peer.nodes;
      const addresses = this.nodes.filter((n) => selectorMatches(sel, n.labels)).map((n) => n.addresses);
      return this.hasAddress(ep, (ip) => addresses.some((set) => set.has(ipKey(ip))));
    }
    if (peer.domainNames) return false;
    // Fail closed: no known field (in an Accept rule: matches nothing).
    void action;
    return false;
  }

  /** An address peer matches the address, or (ipBlockPods=include) a pod holding one. */
  private hasAddress(ep: Endpoint, test: (ip: string) => boolean): boolean {
    if ("ip" in ep) return test(ep.ip);
    return this.ipBlockPods === "include" && podIps(ep.pod).some(test);
  }
}

function memoised<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function labelsMatch(sel: LabelSelector, pod: RawPod): boolean {
  return selectorMatches(sel, pod.metadata.labels ?? {});
}

function ipKey(text: string): string {
  const ip = parseIp(text);
  return `${ip.family}:${ip.value}`;
}

/** v1alpha2 `protocols` or v1alpha1 `ports`; neither (or empty): every protocol and port. */
function portsMatch(r: RawRule, dst: Endpoint, proto: Protocol, port: number): boolean {
  if (r.protocols && r.protocols.length > 0)
    return r.protocols.some((p) => protocolMatches(p, dst, proto, port));
  if (r.ports && r.ports.length > 0) return r.ports.some((p) => portMatches(p, dst, proto, port));
  return true;
}

function protocolMatches(p: RawProtocol, dst: Endpoint, proto: Protocol, port: number): boolean {
  if (p.destinationNamedPort !== undefined) return namedPortMatches(p.destinationNamedPort, dst, proto, port);
  const entries = [
    ["TCP", p.tcp],
    ["UDP", p.udp],
    ["SCTP", p.sctp],
  ] as const;
  return entries.some(([name, e]) => {
    if (!e || name !== proto) return false;
    const d = e.destinationPort;
    if (d?.range) return d.range.start <= port && port <= d.range.end;
    if (d?.number !== undefined) return d.number === port;
    return true;
  });
}

function portMatches(p: RawPort, dst: Endpoint, proto: Protocol, port: number): boolean {
  if (p.portNumber) return (p.portNumber.protocol ?? "TCP") === proto && p.portNumber.port === port;
  if (p.portRange)
    return (p.portRange.protocol ?? "TCP") === proto && p.portRange.start <= port && port <= p.portRange.end;
  if (p.namedPort !== undefined) return namedPortMatches(p.namedPort, dst, proto, port);
  return false;
}

/** A container port of the destination pod with that name; its own protocol, whatever it is. */
function namedPortMatches(name: string, dst: Endpoint, proto: Protocol, port: number): boolean {
  if (!("pod" in dst)) return false;
  return (dst.pod.spec.containers ?? []).some((c) =>
    (c.ports ?? []).some(
      (cp) => cp.name === name && (cp.protocol ?? "TCP") === proto && cp.containerPort === port,
    ),
  );
}
