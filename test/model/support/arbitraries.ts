/**
 * fast-check generators of small, valid clusters. Vocabularies are tiny on purpose so selectors both
 * hit and miss, named ports sometimes resolve and sometimes do not, and CIDRs nest and overlap.
 * Everything generated is what the API server would accept (excepts strictly inside their CIDR,
 * endPort ≥ port, In/NotIn with values, Exists/DoesNotExist without, unique port names per pod),
 * except the rare selector-less peer `{}`, kept because the model must still treat it as "nothing".
 */
import fc from "fast-check";
import type {
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  Protocol,
} from "../../../src/parser/index.js";
import type { Case, RawObject, RawPod } from "./case.js";

export const NAMESPACES = ["default", "alpha", "beta", "gamma"] as const;
export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const PORT_NAMES = ["http", "dns", "metrics"] as const;
const PORT_NUMBERS = [53, 80, 443, 8080, 9090] as const;

/** Each CIDR with the excepts strictly inside it that rules may carve out. */
export const CIDRS: Readonly<Record<string, readonly string[]>> = {
  "10.0.0.0/24": ["10.0.0.0/25", "10.0.0.128/25", "10.0.0.128/26", "10.0.0.192/27", "10.0.0.5/32"],
  "10.0.0.0/25": ["10.0.0.0/26", "10.0.0.64/27", "10.0.0.5/32"],
  "10.0.0.128/26": ["10.0.0.128/27", "10.0.0.160/28", "10.0.0.130/32"],
  "10.0.0.5/32": [],
  "0.0.0.0/0": ["10.0.0.0/24", "10.0.0.0/25", "10.0.0.128/26", "192.168.0.0/16", "10.0.0.5/32"],
  "192.168.0.0/16": ["192.168.1.0/24"],
  "fd00::/120": ["fd00::80/121", "fd00::/124"],
  "::/0": ["fd00::/120", "fd00::80/121"],
};

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** Drops undefined-valued keys (so "absent" really is absent, as in YAML). */
const clean = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function labelsArb(
  vocab: Readonly<Record<string, readonly string[]>>,
): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const [k, vs] of Object.entries(vocab)) model[k] = fc.constantFrom(...vs);
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

/**
 * 0–2 requirements, each a matchLabels pair or an expression: few enough that selectors match often.
 * The empty selector comes in three spellings ({}, {matchLabels: {}}, {matchExpressions: []}).
 */
export function selectorArb(vocab: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<LabelSelector> {
  const keys = Object.keys(vocab);
  const values = [...new Set(Object.values(vocab).flat())];
  const pair = fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), fc.constantFrom(...vocab[k]!)));
  const expr: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
    fc.record({
      key: fc.constantFrom(...keys),
      operator: fc.constantFrom("In" as const, "NotIn" as const),
      // Values from the whole vocabulary, so some never occur under this key.
      values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      key: fc.constantFrom(...keys),
      operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const),
    }),
  );
  const requirement = fc.oneof(
    pair.map((p) => ({ label: p })),
    expr.map((e) => ({ expr: e })),
  );
  return fc
    .record({
      reqs: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 4, arbitrary: fc.array(requirement, { minLength: 1, maxLength: 1 }) },
        { weight: 2, arbitrary: fc.array(requirement, { minLength: 2, maxLength: 2 }) },
      ),
      spelling: fc.constantFrom("minimal", "matchLabels", "matchExpressions", "both"),
    })
    .map(({ reqs, spelling }) => {
      const matchLabels: Record<string, string> = {};
      const matchExpressions: LabelSelectorRequirement[] = [];
      for (const r of reqs) {
        if ("label" in r) matchLabels[r.label[0]] = r.label[1];
        else matchExpressions.push(r.expr);
      }
      const sel: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } = {};
      if (Object.keys(matchLabels).length > 0 || spelling === "matchLabels" || spelling === "both")
        sel.matchLabels = matchLabels;
      if (matchExpressions.length > 0 || spelling === "matchExpressions" || spelling === "both")
        sel.matchExpressions = matchExpressions;
      return sel;
    });
}

// Pod labels and the selectors over them; `zone` is a key no pod carries (NotIn/DoesNotExist traps).
export const POD_LABELS = { app: ["a", "b", "c"], tier: ["web", "db", ""] };
const POD_SELECTOR_VOCAB = { ...POD_LABELS, zone: ["a", "web"] };
const NS_LABELS = { team: ["x", "y"], env: ["prod", "dev"] };
const NS_SELECTOR_VOCAB = { ...NS_LABELS, "kubernetes.io/metadata.name": [...NAMESPACES] };

export const podSelector = selectorArb(POD_SELECTOR_VOCAB);
export const nsSelector = selectorArb(NS_SELECTOR_VOCAB);

const ipBlockArb = fc
  .constantFrom(...Object.keys(CIDRS))
  .chain((cidr) =>
    fc.record(
      { cidr: fc.constant(cidr), except: fc.subarray([...CIDRS[cidr]!]) },
      { requiredKeys: ["cidr"] },
    ),
  );

const peerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ podSelector }) },
  { weight: 3, arbitrary: fc.record({ namespaceSelector: nsSelector }) },
  { weight: 3, arbitrary: fc.record({ podSelector, namespaceSelector: nsSelector }) },
  { weight: 4, arbitrary: fc.record({ ipBlock: ipBlockArb }) },
  { weight: 1, arbitrary: fc.constant({}) },
);

export const portNumber = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...PORT_NUMBERS, 1, 65535) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) },
);

const portArb: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS) }),
  fc.record({ protocol: opt(fc.constantFrom(...PROTOCOLS)), port: portNumber }),
  fc
    .record({
      protocol: opt(fc.constantFrom(...PROTOCOLS)),
      port: portNumber,
      delta: fc.constantFrom(0, 1, 10, 1000, 70000),
    })
    .map(({ delta, ...p }) => ({ ...p, endPort: Math.min(65535, p.port + delta) })),
  fc.record({ protocol: opt(fc.constantFrom(...PROTOCOLS)), port: fc.constantFrom(...PORT_NAMES, "nosuch") }),
);

/** A from/to or ports list: mostly some items, sometimes [] (which means "everything"). */
const listArb = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as T[]) },
    { weight: 6, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }) },
  );

/** A rule: `{}`, peers only, ports only, or both (absent and [] lists both mean "everything"). */
function ruleArb<K extends "from" | "to">(key: K) {
  const peers = listArb(peerArb);
  const ports = listArb(portArb);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: peers.map((l) => ({ [key]: l })) },
    { weight: 3, arbitrary: ports.map((ports) => ({ ports })) },
    { weight: 9, arbitrary: fc.tuple(peers, ports).map(([l, ports]) => ({ [key]: l, ports })) },
  ) as fc.Arbitrary<{ [P in K]?: NetworkPolicyPeer[] } & { ports?: NetworkPolicyPort[] }>;
}

const ingressRule = ruleArb("from");
const egressRule = ruleArb("to");

const specArb: fc.Arbitrary<NetworkPolicySpec> = fc.record({
  podSelector,
  policyTypes: opt(
    fc.constantFrom<("Ingress" | "Egress")[]>(
      ["Ingress"],
      ["Egress"],
      ["Ingress", "Egress"],
      ["Egress", "Ingress"],
    ),
  ),
  ingress: opt(fc.array(ingressRule, { maxLength: 3 })),
  egress: opt(fc.array(egressRule, { maxLength: 3 })),
});

const v4 = fc
  .oneof(fc.constantFrom(0, 1, 5, 6, 64, 127, 128, 130, 160, 191, 192, 255), fc.integer({ min: 0, max: 255 }))
  .map((n) => `10.0.0.${n}`);
const v6 = fc
  .oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 0x1ff }))
  .map((n) => `fd00::${n.toString(16)}`);

export const containerPort = fc.record(
  {
    name: fc.constantFrom(...PORT_NAMES),
    protocol: fc.constantFrom(...PROTOCOLS),
    containerPort: fc.constantFrom(...PORT_NUMBERS),
  },
  { requiredKeys: ["containerPort"] },
);

const podArb = fc.record({
  ns: fc.nat(),
  labels: labelsArb(POD_LABELS),
  containers: fc.array(fc.array(containerPort, { maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  ips: fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as string[]) },
    { weight: 5, arbitrary: v4.map((a) => [a]) },
    { weight: 1, arbitrary: fc.tuple(v4, v6).map((t) => [...t]) },
    { weight: 1, arbitrary: v6.map((a) => [a]) },
  ),
  onlyPodIP: fc.boolean(),
  hostNetwork: fc.oneof(
    { weight: 9, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

export interface Size {
  readonly pods: readonly [number, number];
  readonly policies: readonly [number, number];
}

/** Small clusters: 1–8 pods, 0–5 policies (the main property). */
export const SMALL: Size = { pods: [1, 8], policies: [0, 5] };
/** More than 32 pods, so pod classes span several bit-set words. */
export const LARGE: Size = { pods: [33, 48], policies: [1, 6] };

export const caseArb = (size: Size = SMALL): fc.Arbitrary<Case> =>
  fc
    .record({
      namespaces: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom(...NAMESPACES),
          labels: labelsArb(NS_LABELS),
          explicit: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4, selector: (n) => n.name },
      ),
      pods: fc.array(podArb, { minLength: size.pods[0], maxLength: size.pods[1] }),
      policies: fc.array(fc.record({ ns: fc.nat(), spec: specArb }), {
        minLength: size.policies[0],
        maxLength: size.policies[1],
      }),
      probeIps: fc.array(
        fc.oneof(
          v4,
          v6,
          fc
            .integer({ min: 0, max: 0xffffffff })
            .map((n) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".")),
        ),
        { maxLength: 3 },
      ),
      probePort: fc.integer({ min: 1, max: 65535 }),
      /** Leave metadata.namespace out of objects in `default` (the model must default it). */
      omitDefault: fc.boolean(),
    })
    .map(({ namespaces, pods, policies, probeIps, probePort, omitDefault }): Case => {
      const nsName = (i: number) => {
        const name = namespaces[i % namespaces.length]!.name;
        return omitDefault && name === "default" ? undefined : name;
      };
      const objects: RawObject[] = [];
      for (const n of namespaces)
        if (n.explicit)
          objects.push({ kind: "Namespace", apiVersion: "v1", metadata: { name: n.name, labels: n.labels } });
      pods.forEach((p, i) => {
        objects.push(podObject(`p${i}`, nsName(p.ns), p));
      });
      policies.forEach((p, i) => {
        objects.push({
          kind: "NetworkPolicy",
          apiVersion: "networking.k8s.io/v1",
          metadata: { name: `np${i}`, namespace: nsName(p.ns) },
          spec: p.spec,
        });
      });
      return clean({ objects, probeIps, probePorts: [probePort] });
    });

export function podObject(
  name: string,
  namespace: string | undefined,
  p: {
    labels: Record<string, string>;
    containers: { name?: string; protocol?: Protocol; containerPort: number }[][];
    ips: string[];
    onlyPodIP: boolean;
    hostNetwork: boolean;
  },
): RawPod {
  // Container port names are unique within a pod (API validation): later duplicates lose their name.
  const names = new Set<string>();
  const containers = p.containers.map((ports, ci) => ({
    name: `c${ci}`,
    ports: ports.map((cp) => {
      if (cp.name === undefined || !names.has(cp.name)) {
        if (cp.name) names.add(cp.name);
        return cp;
      }
      const { name: _dup, ...rest } = cp;
      return rest;
    }),
  }));
  const status =
    p.ips.length === 0
      ? undefined
      : p.onlyPodIP
        ? { podIP: p.ips[0] }
        : { podIP: p.ips[0], podIPs: p.ips.map((ip) => ({ ip })) };
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, namespace, labels: p.labels },
    spec: { containers, ...(p.hostNetwork ? { hostNetwork: true } : {}) },
    ...(status ? { status } : {}),
  };
}
