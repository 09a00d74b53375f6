/** The engine's bulk row query agrees with its point query on every class pair. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze, buildCluster } from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("Analysis.rowInto", () => {
  for (const fixture of ["fixtures/demo", "fixtures/tiers", "test/conformance/netpol-analyzer/cases/ipblockstest"]) {
    it(`equals connId for every class pair of ${fixture}`, async () => {
      const parsed = await loadPaths([join(ROOT, fixture)]);
      const a = analyze(buildCluster(parsed.objects).cluster);
      const row = new Int32Array(a.classCount);
      let checked = 0;
      for (let s = 0; s < a.classCount + a.space.atoms.length; s++) {
        a.rowInto(s, row);
        for (let d = 0; d < a.classCount; d++, checked++) expect(row[d]).toBe(a.connId(s, d));
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
});
