/**
 * Semantic comparison of two inputs: over every possible pod (existing in either input, or
 * hypothetical) and every address, is the set of allowed connections of A equal to B's, larger,
 * smaller, disjoint, or incomparable? Both inputs are encoded over the same symbolic endpoints; an
 * existing pod is identified across inputs by namespace and name (its labels, ports and policies may
 * differ between them). `existingOnly` restricts endpoints to the pods of either input and addresses.
 */
import { type Analysis, analyze, type Cluster, type ModelOptions } from "../model/index.js";
import { type DecodedConn, type DecodedEndpoint, FreshNames } from "./decode.js";
import { readablePreferences, solveReadable } from "./readable.js";
import { serviceMentions } from "./sets.js";
import { buildUniverse } from "./universe.js";
import { KIND, Space, World } from "./world.js";
import { type B, is, isnt, z3, z3StartupMs } from "./z3.js";

/** `contains`: A allows everything B allows, and more; `contained`: the reverse. */
export type Relation = "equivalent" | "contains" | "contained" | "disjoint" | "incomparable";

export interface Witness {
  readonly src: DecodedEndpoint;
  readonly dst: DecodedEndpoint;
  readonly conn: DecodedConn;
  /** Which input allows the connection (the other denies it); `both` for an overlap witness. */
  readonly allowedBy: "A" | "B" | "both";
}

export interface Comparison {
  /** Undefined when z3 could not decide (`unknown`). */
  readonly relation: Relation | undefined;
  readonly witnesses: readonly Witness[];
  readonly unknownReason?: string | undefined;
  readonly timings: { readonly z3StartupMs: number; readonly encodeMs: number; readonly solveMs: number };
}

export interface CompareOptions {
  readonly existingOnly?: boolean | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Existing pods of both inputs, matched by namespace/name: one entity per pair of classes. */
function entities(a: Analysis, b: Analysis): { ofA: Int32Array; ofB: Int32Array } {
  const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
  const pairs = new Map<string, [number, number]>();
  const byPod = new Map<string, [number, number]>();
  a.cluster.pods.forEach((p, i) => {
    byPod.set(key(p), [a.index.classOfPod[i]!, -1]);
  });
  b.cluster.pods.forEach((p, i) => {
    const k = key(p);
    const hit = byPod.get(k);
    if (hit) hit[1] = b.index.classOfPod[i]!;
    else byPod.set(k, [-1, b.index.classOfPod[i]!]);
  });
  for (const [ca, cb] of byPod.values()) pairs.set(`${ca},${cb}`, [ca, cb]);
  const list = [...pairs.values()];
  return { ofA: Int32Array.from(list.map((p) => p[0])), ofB: Int32Array.from(list.map((p) => p[1])) };
}

export async function compareInputs(
  inputA: Cluster,
  inputB: Cluster,
  options: ModelOptions,
  compareOptions: CompareOptions = {},
): Promise<Comparison> {
  const ctx = await z3();
  const t0 = performance.now();
  const a = analyze(inputA, options);
  const b = analyze(inputB, options);
  const { ofA, ofB } = entities(a, b);
  const universe = buildUniverse([a, b], {
    podSelectors: [...serviceMentions(a.cluster), ...serviceMentions(b.cluster)],
    nsSelectors: [],
    namespaces: [],
    portNames: [],
  });
  const space = new Space(ctx, universe, ofA.length);
  const wa = new World(space, a, ofA, "A");
  const wb = new World(space, b, ofB, "B");
  const s = space.endpoint("s");
  const d = space.endpoint("d");
  const k = space.conn("k");
  space.sameNamespaceSameLabels(s, d);
  const single = (an: Analysis, ci: number) => ci < 0 || an.index.classes[ci]!.pods.length === 1;
  const singles: number[] = [];
  for (let i = 0; i < ofA.length; i++) if (single(a, ofA[i]!) && single(b, ofB[i]!)) singles.push(i);
  space.notSamePod(s, d, singles);
  const inA = wa.allowed(s, d, k);
  const inB = wb.allowed(s, d, k);
  const domain: B[] = compareOptions.existingOnly
    ? [isnt(s.kind, KIND.hypothetical), isnt(d.kind, KIND.hypothetical)]
    : [];
  // Address to address is outside every policy: never a difference, not a useful witness.
  domain.push(ctx.Not(ctx.And(is(s.kind, KIND.address), is(d.kind, KIND.address))));
  const solver = new ctx.Solver();
  solver.set("timeout", compareOptions.timeoutMs ?? 30_000);
  solver.add(...space.defs, ...domain);
  const encodeMs = performance.now() - t0;
  const t1 = performance.now();
  const prefs = readablePreferences(space, s, d);
  const ask = async (q: B, world: World, allowedBy: Witness["allowedBy"]) => {
    const r = await solveReadable(ctx, solver, q, prefs, universe);
    if (r.result !== "sat" || !r.decoder) return { result: r.result, reason: r.reason };
    const fresh = new FreshNames([
      ...a.cluster.namespaces.map((n) => n.name),
      ...b.cluster.namespaces.map((n) => n.name),
      ...universe.namespaces,
    ]);
    const witness: Witness = {
      src: r.decoder.endpoint(world, s, fresh),
      dst: r.decoder.endpoint(world, d, fresh),
      conn: r.decoder.conn(k),
      allowedBy,
    };
    return { result: r.result, witness };
  };
  try {
    const onlyA = await ask(ctx.And(inA, ctx.Not(inB)), wa, "A");
    const onlyB = await ask(ctx.And(inB, ctx.Not(inA)), wb, "B");
    const witnesses = [onlyA.witness, onlyB.witness].filter((w): w is Witness => w !== undefined);
    const timings = () => ({ z3StartupMs: z3StartupMs(), encodeMs, solveMs: performance.now() - t1 });
    const unknown = [onlyA, onlyB].find((r) => r.result === "unknown");
    if (unknown) return { relation: undefined, witnesses, unknownReason: unknown.reason, timings: timings() };
    let relation: Relation;
    if (onlyA.result === "unsat" && onlyB.result === "unsat") relation = "equivalent";
    else if (onlyB.result === "unsat") relation = "contains";
    else if (onlyA.result === "unsat") relation = "contained";
    else {
      const both = await ask(ctx.And(inA, inB), wa, "both");
      if (both.result === "unknown")
        return { relation: undefined, witnesses, unknownReason: both.reason, timings: timings() };
      relation = both.result === "unsat" ? "disjoint" : "incomparable";
    }
    return { relation, witnesses, timings: timings() };
  } finally {
    // z3's memory lives in a wasm heap the JavaScript collector does not see (REPL, webhook).
    solver.release();
  }
}
