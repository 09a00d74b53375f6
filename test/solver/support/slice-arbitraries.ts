/**
 * fast-check generators of guarantees that range over HYPOTHETICAL pods as well as existing ones —
 * the claims whose slices (src/solver/slice.ts) must keep every policy that could apply to a pod
 * that does not exist yet: `any pod`, bare `pods(…)` (default domain `any` outside `allow`),
 * `namespace N` / `namespace(…)` (existing names, and `delta`, which no cluster has), `not`,
 * `isolated`, and `egress|ingress of … within { … }`. Most sets are bounded (labels, namespaces,
 * workloads), so the slice is smaller than the input; `not` and `anything` appear now and then, and
 * `A and not B` often (with `existing` leaves, only a footprint that keeps A's pods decides it).
 * Vocabulary: the model arbitraries' labels and namespaces (test/model/support/arbitraries.ts).
 */
import fc from "fast-check";
import { NAMESPACES, PORT_NAMES } from "../../model/support/arbitraries.js";
import type { Vocabulary } from "./guarantee-arbitraries.js";

const POD_VOCAB: Readonly<Record<string, readonly string[]>> = {
  app: ["a", "b", "c"],
  tier: ["web", "db", ""],
  zone: ["a"],
};
const NS_VOCAB: Readonly<Record<string, readonly string[]>> = {
  team: ["x", "y"],
  env: ["prod", "dev"],
  "kubernetes.io/metadata.name": [...NAMESPACES, "delta"],
};
/** `delta` is a namespace no generated cluster has: only hypothetical pods live there. */
const NAMESPACE_NAMES = [...NAMESPACES, "delta"] as const;

const quote = (v: string) => JSON.stringify(v);

function requirementArb(vocab: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<string> {
  const values = [...new Set(Object.values(vocab).flat())];
  return fc.constantFrom(...Object.keys(vocab)).chain((key) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...vocab[key]!).map((v) => `${key}=${quote(v)}`) },
      { weight: 1, arbitrary: fc.constantFrom(...vocab[key]!).map((v) => `${key}!=${quote(v)}`) },
      {
        weight: 1,
        arbitrary: fc
          .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 })
          .map((vs) => `${key} in (${vs.map(quote).join(", ")})`),
      },
      {
        weight: 1,
        arbitrary: fc
          .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 })
          .map((vs) => `${key} notin (${vs.map(quote).join(", ")})`),
      },
      { weight: 1, arbitrary: fc.constant(key) },
      { weight: 1, arbitrary: fc.constant(`!${key}`) },
    ),
  );
}

const selectorArb = (vocab: Readonly<Record<string, readonly string[]>>) =>
  fc.array(requirementArb(vocab), { minLength: 1, maxLength: 2 }).map((rs) => `(${rs.join(", ")})`);

const namespaceArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...NAMESPACE_NAMES).map((n) => `namespace ${n}`) },
  { weight: 2, arbitrary: selectorArb(NS_VOCAB).map((s) => `namespace${s}`) },
);

function leafArb(v: Vocabulary): fc.Arbitrary<string> {
  const pods = v.pods.length > 0 ? v.pods : [{ namespace: "default", name: "p0", labels: {} }];
  const pod = fc.constantFrom(...pods);
  const domain = fc.constantFrom("", "", "any ", "existing ");
  // Pod selectors over the vocabulary, or one label of an existing pod (so existing pods match too).
  const podSel = fc.oneof(
    selectorArb(POD_VOCAB),
    pod.chain((p) => {
      const entries = Object.entries(p.labels);
      return entries.length === 0
        ? selectorArb(POD_VOCAB)
        : fc.constantFrom(...entries).map(([k, val]) => `(${k}=${quote(val)})`);
    }),
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant("any pod") },
    {
      weight: 5,
      arbitrary: fc
        .tuple(domain, podSel, fc.option(namespaceArb, { nil: undefined, freq: 3 }))
        .map(([d, s, n]) => `${d}pods${s}${n ? ` in ${n}` : ""}`),
    },
    { weight: 1, arbitrary: fc.tuple(domain, podSel).map(([d, s]) => `${d}pods${s} in any namespace`) },
    { weight: 3, arbitrary: namespaceArb },
    { weight: 2, arbitrary: pod.map((p) => `workload ${p.namespace}/${p.name}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("10.0.0.0/24", "10.0.0.5", "0.0.0.0/0", "fd00::/120", "external"),
    },
  );
}

/** A set: mostly a bounded leaf; sometimes `not`, `anything`, or two sets under `or`/`and`/`except`. */
export function hypotheticalSetArb(v: Vocabulary): fc.Arbitrary<string> {
  const leaf = leafArb(v);
  return fc.letrec<{ set: string }>((tie) => ({
    set: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 8, arbitrary: leaf },
      { weight: 1, arbitrary: tie("set").map((s) => `not (${s})`) },
      // A bounded set minus another: the slice must keep the first's pods, whatever `not` says.
      { weight: 2, arbitrary: fc.tuple(leaf, leaf).map(([l, r]) => `(${l} and not ${r})`) },
      { weight: 1, arbitrary: fc.constant("anything") },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie("set"), fc.constantFrom("or", "and", "except"), tie("set"))
          .map(([l, op, r]) => `(${l} ${op} ${r})`),
      },
    ),
  })).set;
}

const portArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("tcp", "udp"),
  fc
    .tuple(fc.constantFrom("tcp", "udp", "sctp"), fc.constantFrom(53, 80, 443, 8080))
    .map(([p, n]) => `${p}/${n}`),
  fc.tuple(fc.constantFrom("tcp", "udp"), fc.constantFrom(...PORT_NAMES)).map(([p, n]) => `${p}/${n}`),
  fc.constant("tcp/80-443"),
);

const portsArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  {
    weight: 2,
    arbitrary: fc.array(portArb, { minLength: 1, maxLength: 2 }).map((ps) => ` on ${ps.join(", ")}`),
  },
);

export function hypotheticalClaimArb(v: Vocabulary): fc.Arbitrary<string> {
  const set = hypotheticalSetArb(v);
  const entry = fc.tuple(set, portsArb).map(([s, p]) => `(${s})${p}`);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(set, set, portsArb).map(([a, b, p]) => `deny from ${a} to ${b}${p}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(set, set, portsArb).map(([a, b, p]) => `allow from ${a} to ${b}${p}`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("ingress", "egress", "both"), set)
        .map(([d, a]) => `isolated ${d} for ${a}`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("ingress", "egress"), set, fc.array(entry, { minLength: 1, maxLength: 2 }))
        .map(([d, a, es]) => `${d} of ${a} within { ${es.join(", ")} }`),
    },
  );
}

/** `n` guarantees named h0, h1, … (distinct from guarantee-arbitraries.ts's g0, g1, …). */
export const hypotheticalGuaranteesArb = (
  v: Vocabulary,
  n: readonly [number, number],
): fc.Arbitrary<string> =>
  fc
    .array(hypotheticalClaimArb(v), { minLength: n[0], maxLength: n[1] })
    .map((cs) => cs.map((c, i) => `guarantee h${i}: ${c}`).join("\n"));
