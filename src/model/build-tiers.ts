/**
 * Cluster-scoped tier policies → model. ClusterNetworkPolicy v1alpha2 and the v1alpha1
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy map onto one type (`ClusterPolicy`):
 * | input                                  | tier     | actions                       |
 * |----------------------------------------|----------|-------------------------------|
 * | ClusterNetworkPolicy spec.tier Admin    | admin    | Accept, Deny, Pass            |
 * | ClusterNetworkPolicy spec.tier Baseline | baseline | Accept, Deny, Pass            |
 * | AdminNetworkPolicy (v1alpha1)          | admin    | Allow (= Accept), Deny, Pass  |
 * | BaselineAdminNetworkPolicy (v1alpha1)  | baseline | Allow (= Accept), Deny        |
 * Peers: `namespaces: S` = every pod in namespaces matching S; `pods` = namespaceSelector AND
 * podSelector; `networks` = CIDRs (like an ipBlock without except); `nodes` = the addresses of
 * matching Nodes; `domainNames` cannot be resolved statically (warned about, matches nothing
 * known). A peer with no known field "fails closed" (v1alpha2 API docs): in an Accept rule it
 * matches nothing; a Deny or Pass rule holding one is treated as a "Deny all" rule.
 * Ports: absent = every protocol and port; v1alpha2 `protocols` (tcp/udp/sctp with a number, a
 * range, or no destinationPort = every port of the protocol; destinationNamedPort) and v1alpha1
 * `ports` (portNumber, portRange, namedPort; protocol defaults to TCP).
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import type {
  AdminPolicyPort,
  ClusterPolicyObject,
  ClusterPolicyPeer,
  ClusterPolicyProtocol,
  ClusterPolicyRuleSpec,
  NodeObject,
} from "../parser/index.js";
import { type IpAddress, parseCidr, parseIp } from "./addresses.js";
import type { ClusterPolicy, Node, Peer, PortMatch, TierAction, TierRule } from "./types.js";

export function compileClusterPolicy(
  o: ClusterPolicyObject,
  diagnostics: Diagnostic[],
): ClusterPolicy | undefined {
  const spec = o.spec;
  const ref = { kind: o.kind, name: o.metadata.name };
  const tier =
    o.kind === "AdminNetworkPolicy"
      ? "admin"
      : o.kind === "BaselineAdminNetworkPolicy"
        ? "baseline"
        : spec.tier === "Baseline"
          ? "baseline"
          : "admin";
  const subject = spec.subject.pods
    ? { namespaces: spec.subject.pods.namespaceSelector ?? {}, pods: spec.subject.pods.podSelector ?? {} }
    : { namespaces: spec.subject.namespaces ?? {}, pods: {} };
  const rules = (direction: "ingress" | "egress"): TierRule[] =>
    (spec[direction] ?? []).flatMap((r, index) => {
      const action = actionOf(r.action);
      if (!action) {
        diagnostics.push(
          diagnostic("NP2004", "error", `unknown action "${r.action}"; expected Accept, Deny or Pass`, {
            source: o.locate(["spec", direction, index, "action"]),
          }),
        );
        return [];
      }
      const peersField = direction === "ingress" ? "from" : "to";
      const list = r[peersField] ?? [];
      const source = o.locate(["spec", direction, index]);
      // Fail closed: a Deny or Pass rule with a peer of no known field denies everything.
      if (action !== "accept" && list.some((p) => !knownPeer(p)))
        return [
          {
            direction,
            index,
            action: "deny" as const,
            name: r.name,
            peers: [{ kind: "any" as const }],
            ports: [{ kind: "all" as const }],
            source,
          },
        ];
      const peers = list.flatMap((p, i) =>
        compilePeer(o, p, ["spec", direction, index, peersField, i], diagnostics),
      );
      return [{ direction, index, action, name: r.name, peers, ports: compilePorts(r), source }];
    });
  return {
    tier,
    ref,
    priority: spec.priority ?? 0,
    subject,
    ingress: rules("ingress"),
    egress: rules("egress"),
    source: o.source,
  };
}

function actionOf(a: string): TierAction | undefined {
  switch (a) {
    case "Accept":
    case "Allow":
      return "accept";
    case "Deny":
      return "deny";
    case "Pass":
      return "pass";
    default:
      return undefined;
  }
}

function knownPeer(p: ClusterPolicyPeer): boolean {
  return !!(p.namespaces || p.pods || p.networks || p.nodes || p.domainNames);
}

/** A peer's endpoints; a peer with no known field (fail closed, Accept rules only here) matches nothing. */
function compilePeer(
  o: ClusterPolicyObject,
  p: ClusterPolicyPeer,
  path: (string | number)[],
  diagnostics: Diagnostic[],
): Peer[] {
  const source = o.locate(path);
  if (p.namespaces)
    return [{ kind: "pods", namespaces: { kind: "selector", selector: p.namespaces }, pods: {}, source }];
  if (p.pods)
    return [
      {
        kind: "pods",
        namespaces: { kind: "selector", selector: p.pods.namespaceSelector ?? {} },
        pods: p.pods.podSelector ?? {},
        source,
      },
    ];
  if (p.networks)
    return p.networks.flatMap((text) => {
      const cidr = parseCidr(text);
      return cidr ? [{ kind: "ipBlock" as const, cidr, except: [], source }] : [];
    });
  if (p.nodes) return [{ kind: "nodes", selector: p.nodes, source }];
  if (p.domainNames) {
    diagnostics.push(
      diagnostic(
        "NP3005",
        "warning",
        `domainNames ${p.domainNames.join(", ")} cannot be resolved statically; the peer matches no known address`,
        {
          source,
          hint: "add a networks peer with the addresses the names resolve to, if they are known",
        },
      ),
    );
    return [{ kind: "domainNames", names: p.domainNames, source }];
  }
  return [];
}

function compilePorts(r: ClusterPolicyRuleSpec): PortMatch[] {
  if (r.protocols && r.protocols.length > 0) return r.protocols.flatMap(protocolMatch);
  if (r.ports && r.ports.length > 0) return r.ports.flatMap(portMatch);
  return [{ kind: "all" }];
}

function protocolMatch(p: ClusterPolicyProtocol): PortMatch[] {
  if (p.destinationNamedPort !== undefined)
    return [{ kind: "named", protocol: "TCP", name: p.destinationNamedPort, anyProtocol: true }];
  for (const protocol of ["TCP", "UDP", "SCTP"] as const) {
    const e = p[protocol.toLowerCase() as "tcp" | "udp" | "sctp"];
    if (!e) continue;
    const d = e.destinationPort;
    if (!d) return [{ kind: "protocol", protocol }];
    if (d.range) return [{ kind: "range", protocol, from: d.range.start, to: d.range.end }];
    if (d.number !== undefined) return [{ kind: "range", protocol, from: d.number, to: d.number }];
    return [{ kind: "protocol", protocol }];
  }
  return [];
}

function portMatch(p: AdminPolicyPort): PortMatch[] {
  if (p.portNumber)
    return [
      {
        kind: "range",
        protocol: p.portNumber.protocol ?? "TCP",
        from: p.portNumber.port,
        to: p.portNumber.port,
      },
    ];
  if (p.portRange)
    return [
      {
        kind: "range",
        protocol: p.portRange.protocol ?? "TCP",
        from: p.portRange.start,
        to: p.portRange.end,
      },
    ];
  if (p.namedPort !== undefined)
    return [{ kind: "named", protocol: "TCP", name: p.namedPort, anyProtocol: true }];
  return [];
}

export function nodeFromObject(o: NodeObject): Node {
  const addresses: IpAddress[] = [];
  for (const a of o.status?.addresses ?? []) {
    if (a.type !== "InternalIP" && a.type !== "ExternalIP") continue;
    const ip = parseIp(a.address);
    if (ip) addresses.push(ip);
  }
  return { name: o.metadata.name, labels: o.metadata.labels ?? {}, addresses, source: o.source };
}
