/**
 * Ruleset size grows with pods and rules, not with pairs of pods: the bench generator's clusters
 * at 1,000 and 4,000 pods (100 and 400 workloads and policies, addresses assigned) give rulesets
 * about four times larger — a quadratic emitter would give sixteen.
 */
import { describe, expect, it } from "vitest";
import { generate } from "../../bench/generate.js";
import { assignAddresses, emit, TEXT_TARGETS } from "../../src/emit/index.js";
import { analyze, buildCluster } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";

function sizes(workloads: number) {
  const { text } = generate({
    namespaces: Math.max(4, workloads / 20),
    workloads,
    replicas: 10,
    policies: workloads,
    services: workloads / 2,
    adminPolicies: 0,
    baselinePolicies: 0,
    seed: 1,
  });
  const a = analyze(assignAddresses(buildCluster(parseText(text, "synthetic.yaml").objects).cluster).cluster);
  return Object.fromEntries(TEXT_TARGETS.map((t) => [t, emit(a, t).stats]));
}

describe("ruleset growth", () => {
  it("4× the pods and policies: at most about 4× the rules and bytes", () => {
    const small = sizes(100);
    const large = sizes(400);
    for (const t of TEXT_TARGETS) {
      expect(large[t]!.rules / small[t]!.rules, `${t} rules`).toBeLessThan(5);
      expect(large[t]!.bytes / small[t]!.bytes, `${t} bytes`).toBeLessThan(5);
    }
  });
});
