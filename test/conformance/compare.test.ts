/**
 * `compare --existing-only` (SMT) against the connectivity engine, on every pair of netpol-analyzer
 * cases whose manifests share a topology (the semanticDiff-* families and the *_changed_* cases):
 * the relation must equal the one computed from the engine's connection sets over the pods of
 * either input and the address atoms of both, and every non-equivalence must come with a witness the
 * engine confirms (allowed by one input, denied by the other).
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AddressSpace,
  type Analysis,
  analyze,
  buildCluster,
  type Cluster,
  type ConnSet,
  connContains,
  connIntersect,
  connIsEmpty,
  connSubtract,
  EMPTY_CONN,
  modelOptions,
} from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { compareInputs, type DecodedEndpoint, type Relation, shutdownZ3 } from "../../src/solver/index.js";

const CASES = join(import.meta.dirname, "netpol-analyzer", "cases");
const OPTIONS = modelOptions({ ipBlockPods: "exclude" });

const FAMILIES: readonly (readonly string[])[] = [
  [
    "semanticDiff-same-topologies-old1",
    "semanticDiff-same-topologies-new1a",
    "semanticDiff-same-topologies-old2",
    "semanticDiff-same-topologies-new2",
  ],
  ["semanticDiff-orig-topologies-no-policy", "semanticDiff-orig-topologies-policy-a"],
  ["semanticDiff-different-topologies-policy-a-with-ipblock", "semanticDiff-different-topologies-policy-b"],
  ["test_with_named_ports", "test_with_named_ports_changed_netpol"],
];

const PAIRS = FAMILIES.flatMap((f) => f.flatMap((a) => f.filter((b) => b !== a).map((b) => [a, b] as const)));

afterAll(shutdownZ3);

const clusters = new Map<string, Cluster>();
async function load(name: string): Promise<Cluster> {
  let c = clusters.get(name);
  if (!c) {
    const parsed = await loadPaths([join(CASES, name)], {});
    c = buildCluster(parsed.objects).cluster;
    clusters.set(name, c);
  }
  return c;
}

type Point = { kind: "pod"; key: string } | { kind: "ip"; family: 4 | 6; value: bigint };

/** The engine endpoint of a point in one analysis (undefined: the pod is not in that input). */
function endpointIn(a: Analysis, p: Point): number | undefined {
  if (p.kind === "ip") return a.classCount + a.space.atomOf({ family: p.family, value: p.value });
  const i = a.cluster.pods.findIndex((x) => `${x.namespace}/${x.name}` === p.key);
  return i < 0 ? undefined : a.index.classOfPod[i]!;
}

function connIn(a: Analysis, s: Point, d: Point): ConnSet {
  const x = endpointIn(a, s);
  const y = endpointIn(a, d);
  return x === undefined || y === undefined ? EMPTY_CONN : a.conn(x, y);
}

/** The relation by the engine over pods of either input (one per class pair) and common atoms. */
function engineRelation(a: Analysis, b: Analysis): Relation {
  const pods = new Map<string, Point>();
  const byClasses = new Set<string>();
  for (const an of [a, b])
    for (const p of an.cluster.pods) {
      const key = `${p.namespace}/${p.name}`;
      const sig = `${endpointIn(a, { kind: "pod", key })},${endpointIn(b, { kind: "pod", key })}`;
      if (byClasses.has(sig)) continue;
      byClasses.add(sig);
      pods.set(key, { kind: "pod", key });
    }
  const atoms = new AddressSpace([...a.space.atoms, ...b.space.atoms]).atoms.map(
    (r): Point => ({ kind: "ip", family: r.family, value: r.lo }),
  );
  const single = (p: Point) =>
    p.kind === "pod" &&
    [a, b].every((an) => {
      const c = endpointIn(an, p);
      return c === undefined || an.index.classes[c]!.pods.length === 1;
    });
  const points = [...pods.values(), ...atoms];
  let onlyA = false;
  let onlyB = false;
  let both = false;
  for (const s of points)
    for (const d of points) {
      if (s.kind === "ip" && d.kind === "ip") continue;
      if (s === d && single(s)) continue;
      const ca = connIn(a, s, d);
      const cb = connIn(b, s, d);
      if (!connIsEmpty(connSubtract(ca, cb))) onlyA = true;
      if (!connIsEmpty(connSubtract(cb, ca))) onlyB = true;
      if (!connIsEmpty(connIntersect(ca, cb))) both = true;
    }
  if (!onlyA && !onlyB) return "equivalent";
  if (!onlyB) return "contains";
  if (!onlyA) return "contained";
  return both ? "incomparable" : "disjoint";
}

function point(e: DecodedEndpoint): Point {
  return e.kind === "address"
    ? { kind: "ip", family: e.ip.family, value: e.ip.value }
    : { kind: "pod", key: `${e.namespace}/${e.name}` };
}

describe("compare --existing-only agrees with the engine (netpol-analyzer semanticDiff and *_changed_* pairs)", () => {
  it("covers every ordered pair of each family", () => expect(PAIRS.length).toBe(18));
  for (const [nameA, nameB] of PAIRS)
    it(`${nameA} vs ${nameB}`, async () => {
      const A = await load(nameA);
      const B = await load(nameB);
      const a = analyze(A, OPTIONS);
      const b = analyze(B, OPTIONS);
      const expected = engineRelation(a, b);
      const got = await compareInputs(A, B, OPTIONS, { existingOnly: true });
      expect(got.relation).toBe(expected);
      const wanted = {
        equivalent: [],
        contains: ["A"],
        contained: ["B"],
        disjoint: ["A", "B"],
        incomparable: ["A", "B"],
      }[expected];
      expect(got.witnesses.map((w) => w.allowedBy).sort()).toEqual(wanted);
      for (const w of got.witnesses) {
        const [yes, no] = w.allowedBy === "A" ? [a, b] : [b, a];
        const s = point(w.src);
        const d = point(w.dst);
        expect(
          connContains(connIn(yes, s, d), w.conn.protocol, w.conn.port),
          "witness allowed where claimed",
        ).toBe(true);
        expect(
          connContains(connIn(no, s, d), w.conn.protocol, w.conn.port),
          "witness denied by the other",
        ).toBe(false);
      }
    });
});
