/**
 * Engine vs oracle (fast-check): on random small clusters the engine's connection cells, and the
 * pod-granularity listing built from them, must give exactly what a naive reading of the
 * NetworkPolicy spec gives (support/naive.ts), under both ipBlockPods conventions.
 *
 * On failure the shrunk case is printed one object per line. `NETPOLC_SAVE_COUNTEREXAMPLE=1` also
 * writes it to test/model/regressions/ (then give it a `note` and keep it: regressions.test.ts replays
 * every file there). `FC_SEED` / `FC_RUNS` reproduce or extend a run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseArb } from "./support/arbitraries.js";
import { type Case, dumpCase } from "./support/case.js";
import { compareCase } from "./support/compare.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

function mismatches(c: Case): string[] {
  return [...compareCase(c, "include"), ...compareCase(c, "exclude")];
}

describe("engine vs naive NetworkPolicy evaluator", () => {
  it(`agrees on ${RUNS} random clusters`, () => {
    const details = fc.check(
      fc.property(caseArb, (c) => {
        const bad = mismatches(c);
        if (bad.length > 0) throw new Error(`${bad.join("\n")}\n--- case ---\n${dumpCase(c)}`);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    if (details.failed && details.counterexample) {
      const [c] = details.counterexample;
      if (process.env.NETPOLC_SAVE_COUNTEREXAMPLE) {
        const dir = join(import.meta.dirname, "regressions");
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `shrunk-${details.seed}.json`);
        writeFileSync(file, `${JSON.stringify({ note: "TODO: describe", ...c }, null, 2)}\n`);
      }
      expect.fail(`${fc.defaultReportMessage(details)}\n\n--- shrunk case ---\n${dumpCase(c)}\n\n--- mismatches ---\n${mismatches(c).join("\n")}`);
    }
    expect(details.failed).toBe(false);
  });
});
