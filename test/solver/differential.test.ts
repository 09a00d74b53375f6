/**
 * Solver vs engine on guarantees (fast-check): on random clusters (NetworkPolicies; tier policies
 * with Nodes and hostNetwork pods), random guarantees over EXISTING endpoints (support/
 * guarantee-arbitraries.ts) are verified by the solver and decided by the engine alone
 * (support/oracle.ts); the verdicts must agree, and every counterexample must be a real violation
 * according to the engine, and replayed. Both --ipblock-pods modes. FC_RUNS extends the run
 * (default 25 per generator, about 20 s), FC_SEED replays one.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, buildCluster, formatIp, type ModelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { type DecodedEndpoint, shutdownZ3, verifyGuarantees } from "../../src/solver/index.js";
import { caseArb } from "../model/support/arbitraries.js";
import { type Case, dumpCase, toObjects } from "../model/support/case.js";
import { tierCaseArb } from "../model/support/tier-arbitraries.js";
import { caseWithGuaranteesArb, GUARANTEE_CIDRS } from "./support/guarantee-arbitraries.js";
import { Oracle, type OracleEndpoint } from "./support/oracle.js";

const RUNS = Number(process.env.FC_RUNS ?? 25);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

afterAll(shutdownZ3);

const MODES: readonly Partial<ModelOptions>[] = [{ ipBlockPods: "include" }, { ipBlockPods: "exclude" }];

let stats = { holds: 0, fails: 0, vacuous: 0 };

function show(e: OracleEndpoint | undefined): string {
  if (!e) return "-";
  return e.kind === "class" ? `class ${e.index}` : formatIp(e.ip.family, e.ip.value);
}

/** The oracle endpoint of a decoded counterexample endpoint (existing pods and addresses only). */
function endpointOf(o: Oracle, e: DecodedEndpoint): OracleEndpoint | string {
  if (e.kind === "address") return { kind: "address", ip: e.ip };
  if (!e.existing) return `a hypothetical pod ${e.namespace}/${e.name}: the sets are existing-only`;
  return { kind: "class", index: o.a.index.classOfPod[e.podIndex!]! };
}

/** Every disagreement between solver and engine on one cluster and guarantee file. */
async function disagreements(c: Case, text: string): Promise<string[]> {
  const parsed = parseGuarantees(text, "random.ng");
  if (parsed.diagnostics.length > 0)
    return [`the generated guarantees do not parse: ${JSON.stringify(parsed.diagnostics)}`];
  const { cluster } = buildCluster(toObjects(c.objects));
  const out: string[] = [];
  for (const mode of MODES) {
    const a = analyze(cluster, mode);
    const oracle = new Oracle(a, GUARANTEE_CIDRS);
    const report = await verifyGuarantees(cluster, a.options, [parsed.file], { timeoutMs: 30_000 }, a);
    for (const r of report.results) {
      const g = r.guarantee;
      const where = `[${mode.ipBlockPods}] ${g.text}`;
      const expected = oracle.violation(g.claim);
      const verdict = expected ? "fails" : "holds";
      stats = { ...stats, [verdict]: stats[verdict] + 1 };
      if (oracle.vacuous(g.claim)) stats.vacuous++;
      if (r.verdict !== verdict) {
        out.push(
          `${where}: solver ${r.verdict}, engine ${verdict}${expected ? ` (engine violation ${show(expected.src)} → ${show(expected.dst)})` : ""}`,
        );
        continue;
      }
      const x = r.counterexample;
      if (r.verdict !== "fails") continue;
      if (!x) {
        out.push(`${where}: fails without a counterexample`);
        continue;
      }
      if (!x.replayed) out.push(`${where}: counterexample not replayed`);
      const src = endpointOf(oracle, x.src);
      const dst = x.dst ? endpointOf(oracle, x.dst) : undefined;
      if (typeof src === "string" || typeof dst === "string") {
        out.push(`${where}: ${typeof src === "string" ? src : dst}`);
        continue;
      }
      const why = oracle.confirms(g.claim, src, dst, x.conn);
      if (why)
        out.push(
          `${where}: counterexample ${show(src)} → ${show(dst)} ${x.conn ? `${x.conn.protocol}/${x.conn.port}` : ""} is no violation: ${why}`,
        );
    }
  }
  return out;
}

async function check(arb: fc.Arbitrary<Case>, runs: number) {
  await fc.assert(
    fc.asyncProperty(caseWithGuaranteesArb(arb, [2, 4]), async ([c, text]) => {
      const bad = await disagreements(c, text);
      if (bad.length > 0) throw new Error([...bad, "guarantees:", text, "cluster:", dumpCase(c)].join("\n"));
    }),
    { numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
}

describe("solver vs engine on guarantees over existing endpoints", () => {
  it(`agrees on ${RUNS} random NetworkPolicy clusters`, async () => {
    await check(caseArb(), RUNS);
  }, 600_000);

  it(`agrees on ${RUNS} random tier clusters`, async () => {
    await check(tierCaseArb(), RUNS);
  }, 600_000);

  it("the generated guarantees both hold and fail", () => {
    // DEBUG_STATS=1 prints how many held, failed, and held vacuously (an empty set).
    if (process.env.DEBUG_STATS) console.log(stats);
    expect(stats.holds).toBeGreaterThan(0);
    expect(stats.fails).toBeGreaterThan(0);
  });
});
