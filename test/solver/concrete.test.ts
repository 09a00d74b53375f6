/**
 * Violations among existing endpoints (src/solver/concrete.ts) against z3 and the test oracle
 * (fast-check), in both --ipblock-pods modes:
 *
 * 1. Guarantees over EXISTING endpoints (support/guarantee-arbitraries.ts: existing pods, namespaces,
 *    workloads, CIDRs, single addresses, `external`) on random NetworkPolicy and tier clusters:
 *    `existingViolation` finds a violation exactly when the solver's verdict is "fails" and the
 *    oracle (support/oracle.ts, written from the spec apart from both) finds one; the oracle
 *    confirms every violation it returns.
 * 2. Guarantees over hypothetical pods too (support/slice-arbitraries.ts: `any pod`, bare `pods`,
 *    `not`, `isolated`, `within`): `existingViolation` finds a violation exactly when z3 finds one
 *    with both endpoints existing (the claim's violation with `kind ≠ hypothetical` on s and d);
 *    when it finds one the guarantee fails for z3 too; when it finds none and `decidesAlone` says
 *    the claim is about existing endpoints only (allow claims, `existing` sets, workloads,
 *    addresses), the guarantee holds for z3. In 1, `decidesAlone` is true for every claim.
 *    Whenever `shutByIngress` (the destinations' ingress admits none of the sources, new pods
 *    included) or `withinByPolicies` (a `within` claim's subjects' own policies admit only listed
 *    connections) says a guarantee holds, z3 agrees; and a violation of one of its `narrowClaims`,
 *    searched on the narrow claim's slice, is a violation of the guarantee (for z3, and among
 *    existing endpoints of the whole cluster).
 * The counts are printed with DEBUG_STATS=1 and must show both outcomes. FC_RUNS sets the runs per
 * property (default 20), FC_SEED replays one.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, buildCluster, type ModelOptions } from "../../src/model/index.js";
import { type GuaranteeFile, parseGuarantees } from "../../src/parser/guarantees/index.js";
import {
  decidesAlone,
  existingViolation,
  narrowClaims,
  searchExisting,
  shutByIngress,
  withinByPolicies,
} from "../../src/solver/concrete.js";
import {
  type DecodedEndpoint,
  scopeOf,
  shutdownZ3,
  sliceCluster,
  Verifier,
  verifyGuarantees,
} from "../../src/solver/index.js";
import { KIND } from "../../src/solver/world.js";
import { isnt } from "../../src/solver/z3.js";
import { caseArb } from "../model/support/arbitraries.js";
import { type Case, dumpCase, toObjects } from "../model/support/case.js";
import { tierCaseArb } from "../model/support/tier-arbitraries.js";
import { caseWithGuaranteesArb, GUARANTEE_CIDRS, vocabularyOf } from "./support/guarantee-arbitraries.js";
import { Oracle, type OracleEndpoint } from "./support/oracle.js";
import { hypotheticalGuaranteesArb } from "./support/slice-arbitraries.js";

const RUNS = Number(process.env.FC_RUNS ?? 20);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const MODES: readonly Partial<ModelOptions>[] = [{ ipBlockPods: "include" }, { ipBlockPods: "exclude" }];

afterAll(shutdownZ3);

const stats = {
  existingFound: 0,
  existingNone: 0,
  hypotheticalFound: 0,
  hypotheticalNone: 0,
  decidedAlone: 0,
  shutByIngress: 0,
  withinByPolicies: 0,
  narrowFound: 0,
};

function parsed(text: string): GuaranteeFile {
  const p = parseGuarantees(text, "random.ng");
  if (p.diagnostics.length > 0)
    throw new Error(`generated guarantees do not parse: ${JSON.stringify(p.diagnostics)}`);
  return p.file;
}

function oracleEndpoint(o: Oracle, e: DecodedEndpoint): OracleEndpoint {
  if (e.kind === "address") return { kind: "address", ip: e.ip };
  if (!e.existing) throw new Error("existingViolation returned a hypothetical pod");
  return { kind: "class", index: o.a.index.classOfPod[e.podIndex!]! };
}

async function existingDisagreements(c: Case, text: string): Promise<string[]> {
  const file = parsed(text);
  const { cluster } = buildCluster(toObjects(c.objects));
  const out: string[] = [];
  for (const mode of MODES) {
    const a = analyze(cluster, mode);
    const oracle = new Oracle(a, GUARANTEE_CIDRS);
    const report = await verifyGuarantees(cluster, a.options, [file], { timeoutMs: 30_000 }, a);
    for (const r of report.results) {
      const g = r.guarantee;
      const where = `[${mode.ipBlockPods}] ${g.text}`;
      const search = searchExisting(a, g.claim);
      const found = search.violation;
      const expected = oracle.violation(g.claim) !== undefined;
      // These guarantees are about existing endpoints only: the search decides them alone.
      if (!decidesAlone(a, g.claim)) out.push(`${where}: decidesAlone is false for an existing-only claim`);
      if (!found && !search.exhaustive) out.push(`${where}: the search gave up`);
      if (shutByIngress(a, g.claim)) {
        stats.shutByIngress++;
        if (r.verdict !== "holds") out.push(`${where}: shutByIngress, but z3 says ${r.verdict}`);
      }
      if (found) stats.existingFound++;
      else stats.existingNone++;
      if ((found !== undefined) !== expected) out.push(`${where}: concrete ${!!found}, oracle ${expected}`);
      if ((r.verdict === "fails") !== (found !== undefined))
        out.push(`${where}: concrete ${found ? "found a violation" : "found none"}, z3 says ${r.verdict}`);
      if (!found) continue;
      if (!found.replayed) out.push(`${where}: not marked replayed`);
      const why = oracle.confirms(
        g.claim,
        oracleEndpoint(oracle, found.src),
        found.dst ? oracleEndpoint(oracle, found.dst) : undefined,
        found.conn,
      );
      if (why) out.push(`${where}: the violation is none: ${why}`);
    }
  }
  return out;
}

async function hypotheticalDisagreements(c: Case, text: string): Promise<string[]> {
  const file = parsed(text);
  const { cluster } = buildCluster(toObjects(c.objects));
  const out: string[] = [];
  for (const mode of MODES) {
    const a = analyze(cluster, mode);
    const v = await Verifier.create(cluster, a.options, [file], { timeoutMs: 30_000 }, a);
    try {
      for (const g of file.guarantees) {
        const where = `[${mode.ipBlockPods}] ${g.text}`;
        const found = existingViolation(a, g.claim);
        // Narrow claims (sources of one unrestricted namespace), on their own slices as the webhook
        // searches them: a violation there is one of the guarantee's.
        for (const narrow of narrowClaims(cluster, g.claim)) {
          const na = analyze(sliceCluster(cluster, scopeOf(narrow, cluster)), a.options);
          const nv = existingViolation(na, narrow);
          if (!nv) continue;
          stats.narrowFound++;
          const whole = await v.verify(g);
          if (whole.verdict !== "fails")
            out.push(`${where}: a narrow claim's violation, but z3 says ${whole.verdict}`);
          if (!found)
            out.push(`${where}: a narrow claim's violation, none among existing endpoints of the whole`);
        }
        if (withinByPolicies(a, g.claim)) {
          stats.withinByPolicies++;
          const whole = await v.verify(g);
          if (whole.verdict !== "holds") out.push(`${where}: withinByPolicies, but z3 says ${whole.verdict}`);
        }
        if (shutByIngress(a, g.claim)) {
          stats.shutByIngress++;
          const whole = await v.verify(g);
          if (whole.verdict !== "holds") out.push(`${where}: shutByIngress, but z3 says ${whole.verdict}`);
        }
        if (found) stats.hypotheticalFound++;
        else stats.hypotheticalNone++;
        const onlyExisting = v.ctx.And(
          v.violation(g.claim),
          isnt(v.s.kind, KIND.hypothetical),
          isnt(v.d.kind, KIND.hypothetical),
        );
        const { result } = await v.check(onlyExisting);
        if (result === "unknown") {
          out.push(`${where}: z3 unknown`);
          continue;
        }
        if ((result === "sat") !== (found !== undefined))
          out.push(
            `${where}: concrete ${found ? "found a violation" : "found none"}, z3 over existing: ${result}`,
          );
        if (found) {
          const whole = await v.verify(g);
          if (whole.verdict !== "fails")
            out.push(`${where}: concrete violation, but z3 says ${whole.verdict}`);
          if (found.src.kind === "pod" && !found.src.existing) out.push(`${where}: hypothetical source`);
        } else if (decidesAlone(a, g.claim)) {
          stats.decidedAlone++;
          const whole = await v.verify(g);
          if (whole.verdict !== "holds")
            out.push(
              `${where}: decided alone (no violation among existing endpoints), but z3 says ${whole.verdict}`,
            );
        }
      }
    } finally {
      v.dispose();
    }
  }
  return out;
}

const options = (runs: number) => ({ numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) });

describe("existingViolation", () => {
  for (const [name, arb] of [
    ["NetworkPolicy", caseArb()],
    ["tier", tierCaseArb()],
  ] as const) {
    it(`agrees with z3 and the oracle on existing-only guarantees, ${RUNS} random ${name} clusters`, async () => {
      await fc.assert(
        fc.asyncProperty(caseWithGuaranteesArb(arb, [2, 4]), async ([c, text]) => {
          const bad = await existingDisagreements(c, text);
          if (bad.length > 0)
            throw new Error([...bad, "guarantees:", text, "cluster:", dumpCase(c)].join("\n"));
        }),
        options(RUNS),
      );
    }, 600_000);

    it(`agrees with z3 restricted to existing endpoints on guarantees about any pod, ${RUNS} random ${name} clusters`, async () => {
      const arbWith = arb.chain((c) =>
        fc.tuple(fc.constant(c), hypotheticalGuaranteesArb(vocabularyOf(c), [2, 4])),
      );
      await fc.assert(
        fc.asyncProperty(arbWith, async ([c, text]) => {
          const bad = await hypotheticalDisagreements(c, text);
          if (bad.length > 0)
            throw new Error([...bad, "guarantees:", text, "cluster:", dumpCase(c)].join("\n"));
        }),
        options(RUNS),
      );
    }, 600_000);
  }

  it("finds violations and finds none, in both kinds of guarantee", () => {
    if (process.env.DEBUG_STATS) console.log(stats);
    expect(stats.existingFound).toBeGreaterThan(0);
    expect(stats.existingNone).toBeGreaterThan(0);
    expect(stats.hypotheticalFound).toBeGreaterThan(0);
    expect(stats.hypotheticalNone).toBeGreaterThan(0);
    expect(stats.decidedAlone).toBeGreaterThan(0);
    expect(stats.shutByIngress).toBeGreaterThan(0);
    expect(stats.withinByPolicies).toBeGreaterThan(0);
    expect(stats.narrowFound).toBeGreaterThan(0);
  });
});
