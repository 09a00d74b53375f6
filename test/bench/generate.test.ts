/**
 * The benchmark generator: deterministic, accepted by the real parser, sized exactly as asked, and
 * honest (every policy selects pods, every pod peer matches some).
 */
import { describe, expect, it } from "vitest";
import { type GenerateOptions, generate } from "../../bench/generate.js";
import { analyze, buildCluster } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";

const SMALL: GenerateOptions = {
  namespaces: 8,
  workloads: 60,
  replicas: 3,
  policies: 90,
  services: 20,
  adminPolicies: 0,
  baselinePolicies: 0,
  seed: 42,
};

function load(o: GenerateOptions) {
  const g = generate(o);
  const parsed = parseText(g.text, "synthetic.yaml");
  const { cluster } = buildCluster(parsed.objects);
  return { g, parsed, cluster };
}

describe("bench generator", () => {
  it("is a pure function of its options", () => {
    expect(generate(SMALL).text).toBe(generate(SMALL).text);
    expect(generate({ ...SMALL, seed: 43 }).text).not.toBe(generate(SMALL).text);
  });

  it("produces YAML the parser accepts without errors", () => {
    const { parsed } = load(SMALL);
    expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("produces exactly the requested sizes", () => {
    for (const replicas of [1, 3, 10]) {
      const { g, cluster } = load({ ...SMALL, replicas });
      expect(cluster.namespaces.length).toBe(SMALL.namespaces);
      expect(cluster.workloads.length).toBe(SMALL.workloads);
      expect(cluster.pods.length).toBe(SMALL.workloads * replicas);
      expect(cluster.policies.length).toBe(SMALL.policies);
      expect(g.counts).toMatchObject({
        workloads: SMALL.workloads,
        pods: SMALL.workloads * replicas,
        policies: SMALL.policies,
        adminPolicies: 0,
        baselinePolicies: 0,
        services: SMALL.services,
      });
    }
  });

  it("writes policies that select pods and peers that match pods", () => {
    const { cluster } = load(SMALL);
    const a = analyze(cluster);
    const problems: string[] = [];
    for (const p of cluster.policies) {
      const name = `${p.namespace}/${p.ref.name}`;
      if (a.index.select({ kind: "same", namespace: p.namespace }, p.podSelector).isEmpty())
        problems.push(`${name} selects no pod`);
      for (const r of [...p.ingress, ...p.egress])
        for (const peer of r.peers)
          if (peer.kind === "pods" && a.index.select(peer.namespaces, peer.pods).isEmpty())
            problems.push(`${name} ${r.direction}[${r.index}] has a peer matching no pod`);
    }
    expect(problems).toEqual([]);
  });

  it("rejects invalid options with every problem listed", () => {
    expect(() => generate({ ...SMALL, namespaces: 2, replicas: 0 })).toThrow(
      /namespaces must be.*replicas must be/,
    );
  });
});
