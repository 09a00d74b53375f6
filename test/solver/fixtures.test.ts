/**
 * Guarantee fixtures (fixtures/guarantees/<case>/, see support/fixtures.ts): every guarantee is
 * verified with `verifyGuarantees` and compared with the verdict derived by hand from the
 * Kubernetes semantics (the reasoning is the `#` comment above each guarantee). Every
 * counterexample must have been replayed by the engine, with the shape the case expects.
 */
import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { shutdownZ3, verifyGuarantees } from "../../src/solver/index.js";
import { fixtureCases, loadCase, pick, shapeOf } from "./support/fixtures.js";

afterAll(shutdownZ3);

const cases = fixtureCases();

describe("guarantee fixtures", () => {
  it("has at least 24 cases, each a complete folder", () => {
    expect(cases.length).toBeGreaterThanOrEqual(24);
    for (const c of cases) {
      expect(c.manifests.length, c.name).toBeGreaterThan(0);
      expect(readdirSync(c.dir), c.name).toEqual(expect.arrayContaining(["guarantees.ng", "expected.json"]));
    }
  });

  for (const c of cases)
    it(c.name, async () => {
      const loaded = await loadCase(c);
      // The inputs are valid: no error from the manifests or the guarantee parser.
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const report = await verifyGuarantees(loaded.cluster, loaded.options, loaded.files);
      const names = report.results.map((r) => r.guarantee.name);
      expect([...names].sort()).toEqual(Object.keys(c.expected).sort());
      expect(report.diagnostics.filter((d) => d.code === "NP4024")).toEqual([]);
      for (const r of report.results) {
        const want = c.expected[r.guarantee.name]!;
        const where = `${c.name}/${r.guarantee.name}`;
        expect(r.verdict, where).toBe(want.verdict);
        if (r.verdict !== "fails") {
          expect(r.counterexample, where).toBeUndefined();
          continue;
        }
        const x = r.counterexample!;
        expect(x, where).toBeDefined();
        expect(x.replayed, `${where}: replayed`).toBe(true);
        // Reach and within claims have a pair and a connection; isolated claims a pod alone.
        const pair = r.guarantee.claim.kind !== "isolated";
        expect(x.dst !== undefined, where).toBe(pair);
        expect(x.conn !== undefined, where).toBe(pair);
        if (!pair) expect(x.src.kind, where).toBe("pod");
        if (want.counterexample)
          expect(pick(shapeOf(x), want.counterexample), where).toEqual(want.counterexample);
      }
    });
});
