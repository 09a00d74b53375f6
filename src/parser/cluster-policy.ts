/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy (v1alpha1) value checks, following the validation markers and CEL rules
 * of kubernetes-sigs/network-policy-api (apis/v1alpha2/clusternetworkpolicy_types.go,
 * apis/v1alpha1/*_types.go). Structure, types, required fields, list sizes and rule-name lengths
 * are checked by the schema (schemas/clusterpolicy.json).
 *
 * | field                     | rejected by the API server                                   | code   | costs (loss.ts)      |
 * |---------------------------|--------------------------------------------------------------|--------|----------------------|
 * | spec.tier (v1alpha2)      | not Admin or Baseline                                        | NP2004 | object               |
 * | spec.priority (CNP, ANP)  | outside 0..1000                                              | NP2004 | object               |
 * | metadata.name (BANP)      | not `default` (CEL: one BANP per cluster)                    | NP2013 | object               |
 * | subject                   | not exactly one of namespaces, pods                          | NP2015 | object               |
 * | rule action               | CNP: Accept/Deny/Pass; ANP: Allow/Deny/Pass; BANP: Allow/Deny | NP2004 | object               |
 * | peer                      | more than one field                                          | NP2015 | object               |
 * | peer                      | no field netpolc knows (unknown to this API version)         | NP2017 | peer kept as `{}`    |
 * | networks                  | not a CIDR                                                   | NP2007 | object               |
 * | domainNames               | not a domain name pattern; in a rule that is not Accept      | NP2004 | object               |
 * | protocols / ports entry   | not exactly one field; tcp/udp/sctp without destinationPort  | NP2015 | object               |
 * | destinationPort           | not exactly one of number, range                             | NP2015 | object               |
 * | port numbers              | outside 1..65535                                             | NP2009 | object               |
 * | protocol (v1alpha1)       | not TCP, UDP or SCTP                                         | NP2011 | object               |
 * | range                     | end before start                                             | NP2016 | object               |
 * | range                     | start equal to end (CEL: start < end)                        | NP2016 | nothing: one port    |
 * | named port (egress)       | in a rule with networks, nodes or domainNames peers (CEL)    | NP2004 | nothing: no match    |
 * | pods.podSelector          | missing (v1alpha1 also namespaceSelector; schema)            | NP2002 | nothing: read as `{}` |
 *
 * A peer with no known field is kept because the API defines its meaning: "If an implementation
 * sees no fields are set then it can infer that the deployed CRD is of an incompatible version with
 * an unknown field. In that case it should fail closed" (an Accept/Allow rule matches no traffic
 * through it; a Deny or Pass rule is read as "Deny all"). The model needs the peer to apply that.
 */
import type { ClusterPolicyKind } from "./k8s-cluster-policy.js";
import { checkSelector } from "./labels.js";
import { checkProtocol, cidrAt, portNumberProblem } from "./netpol.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

type Kind = ClusterPolicyKind;
type Path = readonly PathSegment[];

const ACTIONS: Readonly<Record<Kind, readonly string[]>> = {
  ClusterNetworkPolicy: ["Accept", "Deny", "Pass"],
  AdminNetworkPolicy: ["Allow", "Deny", "Pass"],
  BaselineAdminNetworkPolicy: ["Allow", "Deny"],
};
const INGRESS_PEER = ["namespaces", "pods"];
const EGRESS_PEER_V1ALPHA1 = ["namespaces", "pods", "nodes", "networks"];
const EGRESS_PEER_V1ALPHA2 = [...EGRESS_PEER_V1ALPHA1, "domainNames"];
/** Peers without named ports (CEL: a named port cannot be used with them). */
const ADDRESS_PEERS = ["networks", "nodes", "domainNames"];
const SEPARATE = "make them separate items of the list";
const DOMAIN_NAME =
  /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

export function isClusterPolicyKind(kind: string): kind is ClusterPolicyKind {
  return Object.hasOwn(ACTIONS, kind);
}

export function checkClusterPolicy(r: Report, kind: Kind, body: Record<string, unknown>): void {
  const spec = body.spec;
  if (!isPlainObject(spec)) return;
  // 1. Where the policy sits: tier and priority, or the one BaselineAdminNetworkPolicy.
  if (kind === "ClusterNetworkPolicy") checkTier(r, spec.tier);
  if (kind === "BaselineAdminNetworkPolicy") checkBaselineName(r, body.metadata);
  else checkPriority(r, spec.priority);
  // 2. Whom it applies to.
  const subject = spec.subject;
  if (isPlainObject(subject)) {
    const hint = "for pods of some namespaces use pods: {namespaceSelector: ..., podSelector: ...}";
    exactlyOne(r, subject, ["namespaces", "pods"], ["spec", "subject"], "subject", hint);
    checkSelectors(r, subject, ["spec", "subject"]);
  }
  // 3. Rules, in order.
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (Array.isArray(rules))
      rules.forEach((rule: unknown, i) => {
        if (isPlainObject(rule)) checkRule(r, kind, direction, rule, ["spec", direction, i]);
      });
  }
}

function checkTier(r: Report, tier: unknown): void {
  if (typeof tier !== "string" || tier === "Admin" || tier === "Baseline") return;
  const near = ["Admin", "Baseline"].find((t) => t.toLowerCase() === tier.toLowerCase());
  const hint = near
    ? `tiers are case-sensitive: use ${near}`
    : "Admin is evaluated before NetworkPolicies, Baseline after";
  r.error("NP2004", ["spec", "tier"], `tier ${JSON.stringify(tier)} is not one of Admin, Baseline`, hint);
}

function checkPriority(r: Report, priority: unknown): void {
  if (typeof priority !== "number" || (priority >= 0 && priority <= 1000)) return;
  const hint = "lower values are evaluated first; 0 is the highest precedence";
  r.error("NP2004", ["spec", "priority"], `priority ${priority} is out of range 0-1000`, hint);
}

function checkBaselineName(r: Report, meta: unknown): void {
  if (!isPlainObject(meta) || typeof meta.name !== "string" || meta.name === "default") return;
  const what = `a BaselineAdminNetworkPolicy must be named "default", not ${JSON.stringify(meta.name)}`;
  const hint = "there is at most one per cluster; the API server rejects any other name";
  r.error("NP2013", ["metadata", "name"], what, hint, "object");
}

function checkRule(
  r: Report,
  kind: Kind,
  direction: "ingress" | "egress",
  rule: Record<string, unknown>,
  path: Path,
): void {
  const action = checkAction(r, kind, rule.action, [...path, "action"]);
  const peersKey = direction === "ingress" ? "from" : "to";
  const known =
    direction === "ingress"
      ? INGRESS_PEER
      : kind === "ClusterNetworkPolicy"
        ? EGRESS_PEER_V1ALPHA2
        : EGRESS_PEER_V1ALPHA1;
  const peers = Array.isArray(rule[peersKey]) ? (rule[peersKey] as unknown[]) : [];
  peers.forEach((p, j) => {
    if (isPlainObject(p)) checkPeer(r, p, [...path, peersKey, j], known, action);
  });
  const addressPeers = peers.some((p) => isPlainObject(p) && ADDRESS_PEERS.some((f) => p[f] !== undefined));
  const [portsKey, namedKey] =
    kind === "ClusterNetworkPolicy" ? ["protocols", "destinationNamedPort"] : ["ports", "namedPort"];
  const ports = Array.isArray(rule[portsKey]) ? (rule[portsKey] as unknown[]) : [];
  ports.forEach((p, j) => {
    if (!isPlainObject(p)) return;
    const at = [...path, portsKey, j];
    if (kind === "ClusterNetworkPolicy") checkProtocolEntry(r, p, at);
    else checkAdminPort(r, p, at);
    if (addressPeers && p[namedKey] !== undefined)
      r.error(
        "NP2004",
        [...at, namedKey],
        "a named port cannot be used in a rule with networks, nodes or domainNames peers (they have no named ports); netpolc reads it as matching no traffic to them",
        "use a port number, or move the named port to a rule whose peers are pods or namespaces",
        "none",
      );
  });
}

function checkAction(r: Report, kind: Kind, action: unknown, path: Path): string | undefined {
  if (typeof action !== "string") return undefined;
  const allowed = ACTIONS[kind];
  if (allowed.includes(action)) return action;
  const a = action.toLowerCase();
  const near = allowed.find((x) => x.toLowerCase() === a);
  const hint = near
    ? `actions are case-sensitive: use ${near}`
    : kind === "ClusterNetworkPolicy" && a === "allow"
      ? "v1alpha2 uses Accept (Allow is the word of v1alpha1 AdminNetworkPolicy)"
      : kind !== "ClusterNetworkPolicy" && a === "accept"
        ? "v1alpha1 uses Allow (Accept is the word of v1alpha2 ClusterNetworkPolicy)"
        : kind === "BaselineAdminNetworkPolicy" && a === "pass"
          ? "the baseline tier is the last one, so there is nothing to pass to: use Allow or Deny"
          : undefined;
  r.error("NP2004", path, `action ${JSON.stringify(action)} is not one of ${allowed.join(", ")}`, hint);
  return undefined;
}

function checkPeer(
  r: Report,
  peer: Record<string, unknown>,
  path: Path,
  known: readonly string[],
  action: string | undefined,
): void {
  if (known.every((f) => peer[f] === undefined)) {
    const effect =
      action === "Accept" || action === "Allow"
        ? `this ${action} rule matches no traffic through it`
        : action === undefined
          ? 'an Accept/Allow rule matches no traffic through it, a Deny or Pass rule is "Deny all"'
          : `the API defines this ${action} rule as "Deny all"`;
    const what = `peer sets none of ${known.join(", ")}; netpolc keeps it as an empty peer, which fails closed: ${effect}`;
    const hint = "set exactly one of these fields: the API server rejects the peer as written";
    r.error("NP2017", path, what, hint, "empty");
    return;
  }
  exactlyOne(r, peer, known, path, "peer", SEPARATE);
  checkSelectors(r, peer, path);
  if (isPlainObject(peer.nodes)) checkSelector(r, peer.nodes, [...path, "nodes"]);
  if (Array.isArray(peer.networks))
    peer.networks.forEach((n: unknown, i) => {
      if (typeof n === "string") cidrAt(r, n, [...path, "networks", i]);
    });
  if (!Array.isArray(peer.domainNames)) return;
  if (action !== undefined && action !== "Accept")
    r.error(
      "NP2004",
      [...path, "domainNames"],
      `domainNames peers are allowed in Accept rules only, not in a ${action} rule`,
      "allow the names with an Accept rule before a broader Deny rule",
    );
  peer.domainNames.forEach((d: unknown, i) => {
    if (typeof d === "string" && !DOMAIN_NAME.test(d))
      r.error(
        "NP2004",
        [...path, "domainNames", i],
        `invalid domain name ${JSON.stringify(d)}`,
        "write a name such as example.com, or *.example.com for its subdomains",
      );
  });
}

/** `namespaces` and `pods` selectors of a subject or peer. */
function checkSelectors(r: Report, v: Record<string, unknown>, path: Path): void {
  checkSelector(r, v.namespaces, [...path, "namespaces"]);
  if (!isPlainObject(v.pods)) return;
  checkSelector(r, v.pods.namespaceSelector, [...path, "pods", "namespaceSelector"]);
  checkSelector(r, v.pods.podSelector, [...path, "pods", "podSelector"]);
}

/** v1alpha2 `protocols` entry: exactly one of tcp, udp, sctp, destinationNamedPort. */
function checkProtocolEntry(r: Report, p: Record<string, unknown>, path: Path): void {
  exactlyOne(r, p, ["tcp", "udp", "sctp", "destinationNamedPort"], path, "protocols entry", SEPARATE);
  for (const proto of ["tcp", "udp", "sctp"]) {
    const v = p[proto];
    if (!isPlainObject(v)) continue;
    const d = v.destinationPort;
    if (d === undefined) {
      const hint = `for every ${proto.toUpperCase()} port write destinationPort: {range: {start: 1, end: 65535}}`;
      r.error("NP2015", [...path, proto], `${proto} must set destinationPort`, hint);
    }
    if (!isPlainObject(d)) continue;
    const at = [...path, proto, "destinationPort"];
    exactlyOne(r, d, ["number", "range"], at, "destinationPort");
    if (typeof d.number === "number") portNumber(r, d.number, [...at, "number"]);
    if (isPlainObject(d.range)) checkRange(r, d.range, [...at, "range"], `number: ${String(d.range.start)}`);
  }
}

/** v1alpha1 `ports` entry: exactly one of portNumber, namedPort, portRange. */
function checkAdminPort(r: Report, p: Record<string, unknown>, path: Path): void {
  exactlyOne(r, p, ["portNumber", "namedPort", "portRange"], path, "ports entry", SEPARATE);
  if (isPlainObject(p.portNumber)) {
    checkProtocol(r, p.portNumber.protocol, [...path, "portNumber", "protocol"]);
    if (typeof p.portNumber.port === "number")
      portNumber(r, p.portNumber.port, [...path, "portNumber", "port"]);
  }
  if (isPlainObject(p.portRange)) {
    checkProtocol(r, p.portRange.protocol, [...path, "portRange", "protocol"]);
    checkRange(r, p.portRange, [...path, "portRange"], `portNumber: {port: ${String(p.portRange.start)}}`);
  }
}

function portNumber(r: Report, n: number, path: Path): boolean {
  const bad = portNumberProblem(n);
  if (bad) r.error("NP2009", path, bad);
  return bad === undefined;
}

/** `{start, end}`: both ports, start < end. Start equal to end is rejected but means one port. */
function checkRange(r: Report, range: Record<string, unknown>, path: Path, onePort: string): void {
  const { start, end } = range;
  if (typeof start !== "number" || typeof end !== "number") return;
  const startOk = portNumber(r, start, [...path, "start"]);
  if (!portNumber(r, end, [...path, "end"]) || !startOk) return;
  if (end < start)
    r.error(
      "NP2016",
      [...path, "end"],
      `port range ends at ${end}, before it starts at ${start}`,
      "swap start and end",
    );
  else if (end === start)
    r.error(
      "NP2016",
      [...path, "end"],
      `port range starts and ends at ${start}; the API server requires start < end (netpolc reads it as one port)`,
      `for one port write ${onePort}`,
      "none",
    );
}

/** "Exactly one field must be set" (MinProperties = MaxProperties = 1 over the known fields). */
function exactlyOne(
  r: Report,
  v: Record<string, unknown>,
  fields: readonly string[],
  path: Path,
  what: string,
  hintForMany?: string,
): void {
  const set = fields.filter((f) => v[f] !== undefined);
  if (set.length === 1) return;
  const sets = set.length === 0 ? "none" : set.join(" and ");
  const hint = set.length > 1 ? hintForMany : undefined;
  r.error("NP2015", path, `${what} must set exactly one of ${fields.join(", ")}; it sets ${sets}`, hint);
}
