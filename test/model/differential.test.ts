/**
 * Engine vs oracle (fast-check): on random small clusters the engine's connection cells, and the
 * pod-granularity listing built from them, must give exactly what a naive reading of the
 * NetworkPolicy spec gives (support/naive.ts), under every combination of the semantic options
 * (ipBlockPods × hostNetwork).
 *
 * On failure the shrunk case is printed one object per line. `NETPOLC_SAVE_COUNTEREXAMPLE=1` also
 * writes it to test/model/regressions/ (then give it a `note` and keep it: regressions.test.ts replays
 * every file there). `FC_SEED` / `FC_RUNS` reproduce or extend a run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseArb, LARGE } from "./support/arbitraries.js";
import { type Case, dumpCase, type RawObject } from "./support/case.js";
import { compareAll, type ProbeLimits } from "./support/compare.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
/** About 30 ms per run on a laptop; generous so FC_RUNS=10000 does not hit vitest's timeout. */
const TIMEOUT = Math.max(60_000, RUNS * 200);

function checkAgreement(arb: fc.Arbitrary<Case>, runs: number, limits: ProbeLimits = {}): void {
  const details = fc.check(
    fc.property(arb, (c) => {
      const bad = compareAll(c, limits);
      if (bad.length > 0) throw new Error(`${bad.join("\n")}\n--- case ---\n${dumpCase(c)}`);
    }),
    { numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
  if (!details.failed || !details.counterexample) return;
  const [c] = details.counterexample;
  if (process.env.NETPOLC_SAVE_COUNTEREXAMPLE) {
    const dir = join(import.meta.dirname, "regressions");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `shrunk-${details.seed}.json`),
      `${JSON.stringify({ note: "TODO: describe", ...c }, null, 2)}\n`,
    );
  }
  expect.fail(
    `${fc.defaultReportMessage(details)}\n\n--- shrunk case ---\n${dumpCase(c)}\n\n--- mismatches ---\n${compareAll(c, limits).join("\n")}`,
  );
}

/** The same case with every absent policyTypes spelled `[]` (which the API server defaults alike). */
function emptyPolicyTypes(c: Case): Case {
  const objects = c.objects.map(
    (o): RawObject =>
      o.kind === "NetworkPolicy" && !("policyTypes" in o.spec)
        ? { ...o, spec: { ...o.spec, policyTypes: [] } }
        : o,
  );
  return { ...c, objects };
}

describe("engine vs naive NetworkPolicy evaluator", () => {
  it(`agrees on ${RUNS} random clusters`, () => checkAgreement(caseArb(), RUNS), TIMEOUT);

  // Pod classes are bit sets of 32-bit words: clusters of more than 32 pods cross word boundaries.
  // Every pod pair is still checked, on fewer ports and addresses.
  const largeRuns = Math.max(8, Math.floor(RUNS / 30));
  it(
    `agrees on ${largeRuns} clusters of more than 32 pods`,
    () => checkAgreement(caseArb(LARGE), largeRuns, { ports: 8, ips: 8 }),
    TIMEOUT,
  );

  // The API server defaults policyTypes when it is absent *or empty* (SetDefaults_NetworkPolicy:
  // len(PolicyTypes) == 0); this property found the engine treating [] as "isolates nothing".
  it(
    "agrees when policyTypes is spelled [] instead of absent",
    () => checkAgreement(caseArb().map(emptyPolicyTypes), Math.max(50, Math.floor(RUNS / 3))),
    TIMEOUT,
  );
});
