/**
 * Engine vs tier oracle (fast-check): on random small clusters with Nodes, hostNetwork pods,
 * NetworkPolicies and tier policies (ClusterNetworkPolicy v1alpha2 Admin/Baseline, AdminNetworkPolicy
 * and BaselineAdminNetworkPolicy v1alpha1), the engine's connection cells, explainPair's verdicts and
 * the listing must give exactly what a naive reading of the tier spec gives (support/naive-tiers.ts), under
 * both ipBlockPods values and hostNetwork `node` (the API excludes host-networked pods from subjects
 * and pod peers; `distinguish` has no tier meaning to check against).
 *
 * On failure the shrunk case is printed one object per line. `NETPOLC_SAVE_COUNTEREXAMPLE=1` also
 * writes it to test/model/regressions/tiers/ (then give it a `note` and keep it: the last block here
 * replays every file there). `FC_SEED` / `FC_RUNS` reproduce or extend a run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/parser/index.js";
import { LARGE } from "./support/arbitraries.js";
import { type Case, dumpCase } from "./support/case.js";
import type { ProbeLimits } from "./support/compare.js";
import { compareTiersAll } from "./support/compare-tiers.js";
import { tierCaseArb } from "./support/tier-arbitraries.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const TIMEOUT = Math.max(60_000, RUNS * 300);
const REGRESSIONS = join(import.meta.dirname, "regressions", "tiers");

function checkAgreement(arb: fc.Arbitrary<Case>, runs: number, limits: ProbeLimits = {}): void {
  const details = fc.check(
    fc.property(arb, (c) => {
      const bad = compareTiersAll(c, limits);
      if (bad.length > 0) throw new Error(`${bad.join("\n")}\n--- case ---\n${dumpCase(c)}`);
    }),
    { numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
  if (!details.failed || !details.counterexample) return;
  const [c] = details.counterexample;
  if (process.env.NETPOLC_SAVE_COUNTEREXAMPLE) {
    mkdirSync(REGRESSIONS, { recursive: true });
    writeFileSync(
      join(REGRESSIONS, `shrunk-${details.seed}.json`),
      `${JSON.stringify({ note: "TODO: describe", ...c }, null, 2)}\n`,
    );
  }
  expect.fail(
    `${fc.defaultReportMessage(details)}\n\n--- shrunk case ---\n${dumpCase(c)}\n\n--- mismatches ---\n${compareTiersAll(c, limits).join("\n")}`,
  );
}

describe("engine vs naive tier evaluator", () => {
  it(
    `agrees on ${RUNS} random clusters with policy tiers`,
    () => checkAgreement(tierCaseArb(), RUNS),
    TIMEOUT,
  );

  // Pod classes are bit sets of 32-bit words: tier subjects and peers across word boundaries too.
  const largeRuns = Math.max(6, Math.floor(RUNS / 30));
  it(
    `agrees on ${largeRuns} clusters of more than 32 pods`,
    () => checkAgreement(tierCaseArb(LARGE), largeRuns, { ports: 8, ips: 8 }),
    TIMEOUT,
  );
});

/**
 * The generator's objects are what the parser (and the API server) accept, but for its documented
 * exceptions (tier-arbitraries.ts): `{}` peers (NP2014 for NetworkPolicy, NP2017 for tier policies),
 * and `tcp/udp/sctp: {}`, rewritten here to the equivalent `destinationPort: {range: 1–65535}` first.
 */
describe("generated tier objects", () => {
  const EXPECTED = new Set(["NP2014", "NP2017"]);
  const everyPort = (c: Case): Case =>
    JSON.parse(JSON.stringify(c), (key, v) =>
      ["tcp", "udp", "sctp"].includes(key) && v && typeof v === "object" && !("destinationPort" in v)
        ? { destinationPort: { range: { start: 1, end: 65535 } } }
        : v,
    ) as Case;
  it("pass the parser's validation", () => {
    for (const c of fc.sample(tierCaseArb().map(everyPort), { numRuns: 100, seed: SEED ?? 1 })) {
      const text = c.objects.map((o) => JSON.stringify(o)).join("\n---\n");
      const bad = parseText(text, "gen.yaml").diagnostics.filter(
        (d) => d.severity !== "info" && !EXPECTED.has(d.code),
      );
      expect(
        bad.map((d) => `${d.code} ${d.message}`),
        dumpCase(c),
      ).toEqual([]);
    }
  });
});

describe("tier regressions: shrunk counterexamples", () => {
  // The folder exists once a counterexample has been kept.
  const files = existsSync(REGRESSIONS)
    ? readdirSync(REGRESSIONS)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  it("reads the regression folder", () => expect(Array.isArray(files)).toBe(true));
  for (const f of files) {
    const c = JSON.parse(readFileSync(join(REGRESSIONS, f), "utf8")) as Case & { note?: string };
    // A file whose note starts with "KNOWN ENGINE BUG (open)" fails until src/model is fixed.
    it(f, () => {
      expect(compareTiersAll(c), c.note).toEqual([]);
    });
  }
});
