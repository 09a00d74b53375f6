/**
 * fast-check generators of guarantees that quantify over EXISTING endpoints only, in the vocabulary
 * of the model's cluster arbitraries (test/model/support): `existing pods(…)` and `existing
 * namespace …` (every label operator), `workload ns/pN` and `pod ns/hN` references, CIDRs and single
 * addresses (the arbitraries' own CIDRs, so they both align with and cut the engine's atoms),
 * `external`, combined with `or`, `and`, `except`. Left out on purpose: `not`, `anything`, bare
 * `pods` and `within` claims, which range over pods that do not exist yet (the engine cannot
 * enumerate those). Guarantees are printed as text, so the parser is exercised too.
 */
import fc from "fast-check";
import { CIDRS, NAMESPACES, PORT_NAMES } from "../../model/support/arbitraries.js";
import { type Case, podsOf } from "../../model/support/case.js";

const POD_VOCAB: Readonly<Record<string, readonly string[]>> = {
  app: ["a", "b", "c"],
  tier: ["web", "db", ""],
  zone: ["a"],
};
const NS_VOCAB: Readonly<Record<string, readonly string[]>> = {
  team: ["x", "y"],
  env: ["prod", "dev"],
  "kubernetes.io/metadata.name": [...NAMESPACES],
};

/** The CIDRs rules use (arbitraries.ts and tier-arbitraries.ts), their excepts, and single addresses. */
export const GUARANTEE_CIDRS: readonly string[] = [
  ...new Set([
    ...Object.keys(CIDRS),
    ...Object.values(CIDRS).flat(),
    "10.1.0.0/24",
    "10.1.0.0/30",
    "10.0.0.0/8",
    "192.168.1.0/24",
    "10.0.0.5",
    "10.0.0.130",
    "10.1.0.2",
    "192.168.1.7",
    "fd00::7",
    "fd00::80",
    "172.16.0.0/12",
    "8.8.8.8",
  ]),
];

const quote = (v: string) => JSON.stringify(v);

function requirementArb(vocab: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<string> {
  const keys = Object.keys(vocab);
  const values = [...new Set(Object.values(vocab).flat())];
  return fc.constantFrom(...keys).chain((key) =>
    fc.oneof(
      fc.constantFrom(...vocab[key]!).map((v) => `${key}=${quote(v)}`),
      fc.constantFrom(...vocab[key]!).map((v) => `${key}!=${quote(v)}`),
      fc
        .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 })
        .map((vs) => `${key} in (${vs.map(quote).join(", ")})`),
      fc
        .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 })
        .map((vs) => `${key} notin (${vs.map(quote).join(", ")})`),
      fc.constant(key),
      fc.constant(`!${key}`),
    ),
  );
}

const selector = (vocab: Readonly<Record<string, readonly string[]>>) =>
  fc.array(requirementArb(vocab), { minLength: 1, maxLength: 2 }).map((rs) => `(${rs.join(", ")})`);

const namespaceArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NAMESPACES).map((n) => `namespace ${n}`),
  selector(NS_VOCAB).map((s) => `namespace${s}`),
);

/** What a cluster has: its pods' namespaces, names and labels (to draw sets that match something). */
export interface Vocabulary {
  readonly pods: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Record<string, string>;
  }[];
}

export function vocabularyOf(c: Case): Vocabulary {
  return {
    pods: podsOf(c).map((p) => ({
      namespace: p.metadata.namespace ?? "default",
      name: p.metadata.name,
      labels: { ...(p.metadata.labels ?? {}) },
    })),
  };
}

function leafArb(v: Vocabulary): fc.Arbitrary<string> {
  const pods = v.pods.length > 0 ? v.pods : [{ namespace: "default", name: "p0", labels: {} }];
  const pod = fc.constantFrom(...pods);
  // A label of an existing pod, so the selector matches at least that pod.
  const ownLabel = pod.chain((p) => {
    const entries = Object.entries(p.labels);
    return entries.length === 0
      ? requirementArb(POD_VOCAB)
      : fc.constantFrom(...entries).map(([k, val]) => `${k}=${quote(val)}`);
  });
  const podSelector = fc
    .tuple(ownLabel, fc.option(requirementArb(POD_VOCAB), { nil: undefined, freq: 2 }))
    .map(([a, b]) => `(${b ? `${a}, ${b}` : a})`);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant("existing pods") },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.oneof({ weight: 3, arbitrary: podSelector }, { weight: 1, arbitrary: selector(POD_VOCAB) }),
          fc.option(
            fc.oneof(
              { weight: 3, arbitrary: pod.map((p) => `namespace ${p.namespace}`) },
              { weight: 1, arbitrary: namespaceArb },
            ),
            { nil: undefined, freq: 2 },
          ),
        )
        .map(([s, n]) => `existing pods${s}${n ? ` in ${n}` : ""}`),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: pod.map((p) => `namespace ${p.namespace}`) },
          { weight: 1, arbitrary: namespaceArb },
        )
        .map((n) => `existing ${n}`),
    },
    { weight: 3, arbitrary: pod.map((p) => `workload ${p.namespace}/${p.name}`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...NAMESPACES), fc.nat({ max: 8 }))
        .map(([ns, i]) => `workload ${ns}/p${i}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...NAMESPACES), fc.nat({ max: 2 }))
        .map(([ns, i]) => `pod ${ns}/h${i}`),
    },
    { weight: 3, arbitrary: fc.constantFrom(...GUARANTEE_CIDRS) },
    { weight: 2, arbitrary: fc.constant("external") },
  );
}

/** A set over existing endpoints: a leaf, or two leaves or sets under `or`, `and`, `except`. */
export function existingSetArb(v: Vocabulary): fc.Arbitrary<string> {
  const leaf = leafArb(v);
  return fc.letrec<{ set: string }>((tie) => ({
    set: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 5, arbitrary: leaf },
      {
        weight: 1,
        arbitrary: fc
          .tuple(tie("set"), fc.constantFrom("or", "and", "except"), tie("set"))
          .map(([l, op, r]) => `(${l} ${op} ${r})`),
      },
    ),
  })).set;
}

const PORT_NUMBERS = [1, 53, 80, 443, 8080, 9090, 65535] as const;

const portArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("tcp", "udp", "sctp", "any"),
  fc
    .tuple(fc.constantFrom("tcp", "udp", "sctp"), fc.constantFrom(...PORT_NUMBERS))
    .map(([p, n]) => `${p}/${n}`),
  fc
    .tuple(
      fc.constantFrom("tcp", "udp"),
      fc.constantFrom(...PORT_NUMBERS),
      fc.constantFrom(0, 10, 1000, 70000),
    )
    .map(([p, n, d]) => `${p}/${n}-${Math.min(65535, n + d)}`),
  fc
    .tuple(fc.constantFrom("tcp", "udp", "sctp"), fc.constantFrom(...PORT_NAMES, "nosuch"))
    .map(([p, n]) => `${p}/${n}`),
);

const portsArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  {
    weight: 3,
    arbitrary: fc.array(portArb, { minLength: 1, maxLength: 2 }).map((ps) => ` on ${ps.join(", ")}`),
  },
);

export function claimArb(v: Vocabulary): fc.Arbitrary<string> {
  const set = existingSetArb(v);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom("allow", "deny"), set, set, portsArb)
        .map(([verdict, a, b, p]) => `${verdict} from ${a} to ${b}${p}`),
    },
    // The same set on both sides: pairs of a pod with itself (not counted) and with its replicas.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("allow", "deny"), set, portsArb)
        .map(([verdict, a, p]) => `${verdict} from ${a} to ${a}${p}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("ingress", "egress", "both"), set)
        .map(([d, a]) => `isolated ${d} for ${a}`),
    },
  );
}

/** A file of `n` guarantees named g0, g1, … about the cluster's vocabulary. */
export const guaranteesArb = (v: Vocabulary, n: readonly [number, number]): fc.Arbitrary<string> =>
  fc
    .array(claimArb(v), { minLength: n[0], maxLength: n[1] })
    .map((cs) => cs.map((c, i) => `guarantee g${i}: ${c}`).join("\n"));

/** A cluster and guarantees about it. */
export const caseWithGuaranteesArb = (
  cases: fc.Arbitrary<Case>,
  n: readonly [number, number],
): fc.Arbitrary<[Case, string]> =>
  cases.chain((c) => fc.tuple(fc.constant(c), guaranteesArb(vocabularyOf(c), n)));
