/**
 * SMT encoding vs connectivity engine (fast-check): on random clusters (NetworkPolicies, and tier
 * policies with Nodes and hostNetwork pods), one z3 query per case and semantics asks for any
 * existing class or address pair and any connection on which the encoding and the engine disagree.
 * It must be unsatisfiable. (Hypothetical pods are covered by test/solver/verify*.test.ts.)
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, buildCluster, type ModelOptions } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";
import { engineAllowed } from "../../src/solver/engine-formula.js";
import { buildUniverse } from "../../src/solver/universe.js";
import { type Endpoint, KIND, Space, World } from "../../src/solver/world.js";
import { type Ctx, isnt, shutdownZ3, z3 } from "../../src/solver/z3.js";
import { caseArb } from "../model/support/arbitraries.js";
import { type Case, dumpCase, toObjects } from "../model/support/case.js";
import { tierCaseArb } from "../model/support/tier-arbitraries.js";

const RUNS = Number(process.env.FC_RUNS ?? 40);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

afterAll(shutdownZ3);

async function disagreement(c: Case, options: Partial<ModelOptions>): Promise<string | undefined> {
  const ctx = await z3();
  const { cluster } = buildCluster(toObjects(c.objects));
  const a = analyze(cluster, options);
  const space = new Space(ctx, buildUniverse([a]), a.classCount);
  const w = new World(space, a, undefined, "w");
  const s = space.endpoint("s");
  const d = space.endpoint("d");
  const k = space.conn("k");
  const smt = w.allowed(s, d, k);
  const eng = engineAllowed(space, a, s, d, k);
  const solver = new ctx.Solver();
  solver.set("timeout", 20_000);
  solver.add(...space.defs, eng.neq(ctx.And(smt, engineDomainOf(ctx, s, d))));
  const t0 = performance.now();
  if (process.env.DEBUG_SMT === "2") console.log(`checking:\n${dumpCase(c)}`);
  try {
    const r = await solver.check();
    if (process.env.DEBUG_SMT)
      console.log(
        `classes=${a.classCount} atoms=${a.space.atoms.length} defs=${space.defs.length} check=${(performance.now() - t0).toFixed(0)}ms ${r}`,
      );
    if (r === "unsat") return undefined;
    if (r === "unknown") return `unknown: ${solver.reasonUnknown()}`;
    const m = solver.model();
    const show = (x: unknown) => String(x);
    return [
      `disagreement (${JSON.stringify(options)}): engine=${show(m.eval(eng))} smt=${show(m.eval(smt))}`,
      `src kind=${m.eval(s.kind)} ent=${m.eval(s.ent)} ip=${m.eval(s.ip)} is6=${m.eval(s.is6)}`,
      `dst kind=${m.eval(d.kind)} ent=${m.eval(d.ent)} ip=${m.eval(d.ip)} is6=${m.eval(d.is6)}`,
      `proto=${m.eval(k.proto)} port=${m.eval(k.port)}`,
      dumpCase(c),
    ].join("\n");
  } finally {
    // Each case's solver keeps what it learnt in z3's wasm heap (2 GiB): released here, or a long
    // run ends in an out-of-memory abort (which a test run sees as a hang).
    solver.release();
  }
}

function engineDomainOf(ctx: Ctx, s: Endpoint, d: Endpoint) {
  return ctx.And(isnt(s.kind, KIND.hypothetical), isnt(d.kind, KIND.hypothetical));
}

async function check(arb: fc.Arbitrary<Case>, options: Partial<ModelOptions>[], runs: number) {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      for (const o of options) {
        const bad = await disagreement(c, o);
        if (bad) throw new Error(bad);
      }
    }),
    { numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
}

describe("SMT encoding vs engine on existing classes and addresses", () => {
  it.skipIf(process.env.ONLY_TIERS)(
    `agrees on ${RUNS} random NetworkPolicy clusters`,
    async () => {
      await check(
        caseArb(),
        [
          { ipBlockPods: "include", hostNetwork: "node" },
          { ipBlockPods: "exclude", hostNetwork: "distinguish" },
        ],
        RUNS,
      );
    },
    600_000,
  );
  it(`agrees on ${RUNS} random tier clusters`, async () => {
    await check(
      tierCaseArb(),
      [{ ipBlockPods: "include" }, { ipBlockPods: "exclude", hostNetwork: "node" }],
      RUNS,
    );
  }, 600_000);
  it("finds a planted disagreement (the engine of a cluster without its deny-all policy)", async () => {
    const ctx = await z3();
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: default, labels: {app: a}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default, labels: {app: b}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;
    const parsed = parseText(yaml, "planted.yaml");
    const withPolicy = analyze(buildCluster(parsed.objects).cluster);
    const without = analyze(buildCluster(parsed.objects.filter((o) => o.kind !== "NetworkPolicy")).cluster);
    const space = new Space(ctx, buildUniverse([withPolicy, without]), withPolicy.classCount);
    const w = new World(space, withPolicy, undefined, "w");
    const s = space.endpoint("s");
    const d = space.endpoint("d");
    const k = space.conn("k");
    const smt = w.allowed(s, d, k);
    const eng = engineAllowed(space, without, s, d, k);
    const solver = new ctx.Solver();
    solver.add(...space.defs, eng.neq(ctx.And(smt, engineDomainOf(ctx, s, d))));
    expect(await solver.check()).toBe("sat");
  });
});
