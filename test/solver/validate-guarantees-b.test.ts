/**
 * Translation validation on the guarantee fixture cases (second half; split across files so that each
 * vitest worker process — and its z3 wasm heap — validates a bounded number of rulesets), for
 * iptables, nftables and eBPF, on every node, each case with its model options.
 */
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_ADDRESSING } from "../../src/emit/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { analysisOf } from "./support/analysis-of.js";
import { fixtureCases } from "./support/fixtures.js";
import { failures } from "./support/validate.js";

afterAll(shutdownZ3);

describe("translation validation: guarantee fixtures (b)", () => {
  for (const c of fixtureCases().slice(13, 1000))
    it(c.name, { timeout: 300_000 }, async () => {
      const a = await analysisOf(c.manifests, DEFAULT_ADDRESSING, c.options);
      expect(await failures(a)).toEqual([]);
    });
});
