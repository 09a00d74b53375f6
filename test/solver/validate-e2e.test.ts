/**
 * Translation validation on the upstream Kubernetes NetworkPolicy e2e cases
 * (test/conformance/k8s-e2e): at every probe step of every case, the iptables, nftables and eBPF
 * emissions (every node: the topology places no pod, so one node holds them all) are proved equal
 * to the model.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shutdownZ3 } from "../../src/solver/index.js";
import { e2eSteps, ROOT } from "../kernel/inputs.js";
import { failures } from "./support/validate.js";

afterAll(shutdownZ3);

const cases = readdirSync(join(ROOT, "test", "conformance", "k8s-e2e", "cases"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("translation validation: k8s e2e cases, every probe step", () => {
  it("has the 48 cases", () => expect(cases).toHaveLength(48));
  for (const file of cases)
    it(file, { timeout: 300_000 }, async () => {
      for (const { step, analysis } of e2eSteps(file))
        expect(await failures(analysis), `${file} step ${step}`).toEqual([]);
    });
});
