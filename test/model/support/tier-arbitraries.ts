/**
 * fast-check generators of policy tiers on top of the NetworkPolicy clusters of arbitraries.ts:
 * Nodes (labels, InternalIP in 10.1.0.0/24, sometimes an ExternalIP or a Hostname), hostNetwork pods
 * holding their node's IP, 0–4 ClusterNetworkPolicy v1alpha2 (Admin or Baseline), 0–2
 * AdminNetworkPolicy and 0–1 BaselineAdminNetworkPolicy `default` (v1alpha1).
 *
 * Generated objects are what the API server would accept (one field per peer and per port entry,
 * ranges with start < end, named ports never beside networks/nodes/domainNames peers, domainNames
 * only in v1alpha2 Accept rules, from/to never empty), with two exceptions: the rare peer with no
 * known field, kept because the API defines it ("fail closed"); and the occasional v1alpha2 `tcp: {}`
 * (no destinationPort), which the CRD rejects (netpolc's parser: NP2015, object dropped) but the
 * model defines as every port of the protocol. Priorities are mostly distinct within a tier;
 * sometimes two policies share one (the API leaves that order to the implementation; netpolc uses
 * kind, then name).
 */
import fc from "fast-check";
import type { Protocol } from "../../../src/parser/index.js";
import {
  caseArb,
  containerPort,
  labelsArb,
  NAMESPACES,
  nsSelector,
  POD_LABELS,
  PORT_NAMES,
  PROTOCOLS,
  podObject,
  podSelector,
  portNumber,
  type Size,
  selectorArb,
} from "./arbitraries.js";
import type { Case, RawClusterPolicy, RawNode, RawObject } from "./case.js";

type Flavour = "v1alpha2" | "v1alpha1";
type Spec = RawClusterPolicy["spec"];
type RawRule = NonNullable<Spec["ingress"]>[number];
type RawPeer = NonNullable<RawRule["from"]>[number];

const NODE_LABELS = { role: ["worker", "edge"], zone: ["a", "b"] };
/** `gpu` is a key no node carries. */
const nodeSelector = selectorArb({ ...NODE_LABELS, gpu: ["yes"] });

/** Nest and overlap node addresses (10.1.0.x, 192.168.x) and pod addresses (10.0.0.x, fd00::). */
const NETWORKS = [
  "10.0.0.0/24",
  "10.0.0.0/25",
  "10.0.0.5/32",
  "10.1.0.0/24",
  "10.1.0.0/30",
  "10.1.0.2/32",
  "10.0.0.0/8",
  "0.0.0.0/0",
  "192.168.0.0/16",
  "192.168.1.0/24",
  "fd00::/120",
  "::/0",
] as const;

const namespacedPod = fc.record({ namespaceSelector: nsSelector, podSelector });
/** Every namespace: frequent, so that tier rules often reach the NetworkPolicy and Baseline tiers. */
const everywhere = fc.constant({ namespaces: {} });

/** Ingress peers select pods; egress peers also addresses. `{}` has no known field. */
function peerArb(flavour: Flavour, dir: "ingress" | "egress", accept: boolean): fc.Arbitrary<RawPeer> {
  const pods: fc.WeightedArbitrary<RawPeer>[] = [
    { weight: 1, arbitrary: everywhere },
    { weight: 3, arbitrary: fc.record({ namespaces: nsSelector }) },
    { weight: 3, arbitrary: fc.record({ pods: namespacedPod }) },
    { weight: 1, arbitrary: fc.constant({}) },
  ];
  if (dir === "ingress") return fc.oneof(...pods);
  return fc.oneof(
    ...pods,
    {
      weight: 3,
      arbitrary: fc.record({
        networks: fc.uniqueArray(fc.constantFrom(...NETWORKS), { minLength: 1, maxLength: 2 }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ nodes: nodeSelector }) },
    // v1alpha2 only, Accept rules only.
    ...(accept && flavour === "v1alpha2"
      ? [{ weight: 1, arbitrary: fc.constant({ domainNames: ["example.com"] }) }]
      : []),
  );
}

/** start < end (the API's CEL rule; start = end is rejected). */
const rangeArb = portNumber.chain((n) => {
  const start = Math.min(n, 65534);
  return fc.constantFrom(1, 10, 1000, 70000).map((d) => ({ start, end: Math.min(65535, start + d) }));
});
const portName = fc.constantFrom(...PORT_NAMES, "nosuch");

/** v1alpha2 `protocols` entry: exactly one of tcp/udp/sctp/destinationNamedPort. */
function protocolArb(named: boolean) {
  const destinationPort = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: portNumber.map((number) => ({ number })) },
    { weight: 3, arbitrary: rangeArb.map((range) => ({ range })) },
  );
  const byProtocol = fc
    .tuple(fc.constantFrom("tcp", "udp", "sctp"), destinationPort)
    .map(([k, d]) => ({ [k]: d === undefined ? {} : { destinationPort: d } }));
  return named
    ? fc.oneof(
        { weight: 3, arbitrary: byProtocol },
        { weight: 1, arbitrary: portName.map((n) => ({ destinationNamedPort: n })) },
      )
    : byProtocol;
}

/** v1alpha1 `ports` entry: exactly one of portNumber/portRange/namedPort (protocol defaults to TCP). */
function portArb(named: boolean) {
  const protocol = fc.option(fc.constantFrom<Protocol>(...PROTOCOLS), { nil: undefined });
  const number = fc.record({ protocol, port: portNumber }).map((portNumber) => ({ portNumber }));
  const range = fc.tuple(protocol, rangeArb).map(([protocol, r]) => ({ portRange: { protocol, ...r } }));
  const arbs = [number, range];
  return named
    ? fc.oneof(
        ...arbs,
        portName.map((namedPort) => ({ namedPort })),
      )
    : fc.oneof(...arbs);
}

function ruleArb(
  flavour: Flavour,
  dir: "ingress" | "egress",
  actions: readonly string[],
): fc.Arbitrary<RawRule> {
  return fc
    .record({
      action: fc.constantFrom(...actions),
      name: fc.option(fc.constantFrom("r1", "r2"), { nil: undefined }),
    })
    .chain(({ action, name }) =>
      fc
        .array(peerArb(flavour, dir, action === "Accept" || action === "Allow"), {
          minLength: 1,
          maxLength: 2,
        })
        .chain((peers) => {
          // Named ports cannot target networks, nodes or domainNames (API validation).
          const named = !peers.some((p) => p.networks || p.nodes || p.domainNames);
          const ports =
            flavour === "v1alpha2"
              ? fc
                  .array(protocolArb(named), { minLength: 1, maxLength: 2 })
                  .map((protocols) => ({ protocols }))
              : fc.array(portArb(named), { minLength: 1, maxLength: 2 }).map((ports) => ({ ports }));
          return fc
            .oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 3, arbitrary: ports })
            .map((p) => ({ name, action, [dir === "ingress" ? "from" : "to"]: peers, ...p }));
        }),
    );
}

const subjectArb = fc.oneof(
  everywhere,
  fc.record({ namespaces: nsSelector }),
  fc.record({ pods: namespacedPod }),
);

function specArb(flavour: Flavour, actions: readonly string[]) {
  return fc.record(
    {
      subject: subjectArb,
      ingress: fc.array(ruleArb(flavour, "ingress", actions), { maxLength: 3 }),
      egress: fc.array(ruleArb(flavour, "egress", actions), { maxLength: 3 }),
    },
    { requiredKeys: ["subject"] },
  );
}

/** Priorities: small numbers that collide only when asked to (`tie`). */
const priorityArb = fc.oneof(fc.constantFrom(0, 1, 5, 10, 100, 1000), fc.integer({ min: 0, max: 1000 }));

const tiersArb = fc.record({
  cnps: fc.array(
    fc.record({
      tier: fc.constantFrom("Admin", "Baseline"),
      spec: specArb("v1alpha2", ["Accept", "Deny", "Pass"]),
    }),
    { maxLength: 4 },
  ),
  anps: fc.array(specArb("v1alpha1", ["Allow", "Deny", "Pass"]), { maxLength: 2 }),
  banp: fc.option(specArb("v1alpha1", ["Allow", "Deny"]), { nil: undefined }),
  priorities: fc.uniqueArray(priorityArb, { minLength: 6, maxLength: 6 }),
  /** In each tier, give the second policy the first one's priority. */
  tie: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const nodeArb = fc.record({
  labels: labelsArb(NODE_LABELS),
  // fd00::7 may also be a pod's address (arbitraries.ts draws pod IPv6 addresses from fd00::0–1ff).
  external: fc.option(fc.constantFrom("192.168.1.7", "192.168.2.7", "10.1.0.200", "fd00::7"), {
    nil: undefined,
  }),
  hostname: fc.boolean(),
});

const hostPodArb = fc.record({
  node: fc.nat(),
  ns: fc.constantFrom(...NAMESPACES),
  labels: labelsArb(POD_LABELS),
  ports: fc.array(containerPort, { maxLength: 3 }),
});

function nodeObject(
  i: number,
  n: { labels: Record<string, string>; external?: string; hostname: boolean },
): RawNode {
  const addresses = [{ type: "InternalIP", address: nodeIp(i) }];
  if (n.external) addresses.push({ type: "ExternalIP", address: n.external });
  if (n.hostname) addresses.push({ type: "Hostname", address: `node${i}` });
  return {
    kind: "Node",
    apiVersion: "v1",
    metadata: { name: `node${i}`, labels: n.labels },
    status: { addresses },
  };
}

/** Node i's InternalIP (10.1.0.1, .2, .3); node 1's is inside the /30 and equal to the /32. */
const nodeIp = (i: number) => `10.1.0.${i + 1}`;

/** Up to 3 NetworkPolicies: each isolated pod hides the Baseline tier. */
export const TIER_SMALL: Size = { pods: [1, 8], policies: [0, 3] };

/** A NetworkPolicy cluster (arbitraries.ts) plus Nodes, hostNetwork pods and tier policies. */
export const tierCaseArb = (size: Size = TIER_SMALL): fc.Arbitrary<Case> =>
  fc
    .record({
      base: caseArb(size),
      nodes: fc.array(nodeArb, { maxLength: 3 }),
      hostPods: fc.array(hostPodArb, { maxLength: 2 }),
      tiers: tiersArb,
    })
    .map(({ base, nodes, hostPods, tiers }): Case => {
      const objects: RawObject[] = [...base.objects];
      nodes.forEach((n, i) => {
        objects.push(nodeObject(i, n));
      });
      hostPods.forEach((h, i) => {
        // Without nodes the pod still gets a node-range address no Node holds.
        const ip = nodes.length > 0 ? nodeIp(h.node % nodes.length) : "10.1.0.9";
        objects.push(
          podObject(`h${i}`, h.ns, {
            labels: h.labels,
            containers: [h.ports],
            ips: [ip],
            onlyPodIP: true,
            hostNetwork: true,
          }),
        );
      });
      objects.push(...tierObjects(tiers));
      return JSON.parse(JSON.stringify({ ...base, objects })) as Case;
    });

function tierObjects(t: {
  cnps: { tier: string; spec: Omit<Spec, "tier" | "priority"> }[];
  anps: Omit<Spec, "tier" | "priority">[];
  banp: Omit<Spec, "tier" | "priority"> | undefined;
  priorities: number[];
  tie: boolean;
}): RawClusterPolicy[] {
  const out: RawClusterPolicy[] = [];
  let next = 0;
  const cluster = (kind: RawClusterPolicy["kind"], apiVersion: string, name: string, spec: Spec) =>
    out.push({ kind, apiVersion, metadata: { name }, spec });
  t.anps.forEach((spec, i) => {
    cluster("AdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1", `anp${i}`, {
      priority: t.priorities[next++]!,
      ...spec,
    });
  });
  t.cnps.forEach((c, i) => {
    cluster("ClusterNetworkPolicy", "policy.networking.k8s.io/v1alpha2", `cnp${i}`, {
      tier: c.tier as "Admin" | "Baseline",
      priority: t.priorities[next++]!,
      ...c.spec,
    });
  });
  if (t.banp) cluster("BaselineAdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1", "default", t.banp);
  if (t.tie)
    for (const tier of ["Admin", "Baseline"]) {
      const same = out.filter(
        (p) => (p.spec.tier ?? (p.kind === "AdminNetworkPolicy" ? "Admin" : "Baseline")) === tier,
      );
      if (same.length < 2) continue;
      // BaselineAdminNetworkPolicy (always last) has no priority field: it counts as 0.
      const [a, b] = same as [RawClusterPolicy, RawClusterPolicy];
      const [from, to] = b.kind === "BaselineAdminNetworkPolicy" ? [b, a] : [a, b];
      out[out.indexOf(to)] = { ...to, spec: { ...to.spec, priority: from.spec.priority ?? 0 } };
    }
  return out;
}
