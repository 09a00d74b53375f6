/** Model-level diagnostics of the tiers: duplicate priorities, domainNames, unknown actions. */
import { describe, expect, it } from "vitest";
import { buildCluster } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";

const cnp = (name: string, priority: number, extra = "") => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: ${name}
spec:
  tier: Admin
  priority: ${priority}
  subject:
    namespaces: {}
  ingress:
    - action: Deny
      from:
        - namespaces:
            matchLabels: {team: x}${extra}
`;

describe("tier diagnostics", () => {
  it("warns when two Admin policies share a priority, naming the order netpolc uses", () => {
    const text = [cnp("b-second", 5), cnp("a-first", 5), cnp("c-other", 6)].join("---\n");
    const parsed = parseText(text, "tiers.yaml");
    expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const { cluster, diagnostics } = buildCluster(parsed.objects);
    const ties = diagnostics.filter((d) => d.code === "NP3006");
    expect(ties).toHaveLength(1);
    expect(ties[0]!.message).toMatchInlineSnapshot(
      `"ClusterNetworkPolicy a-first and ClusterNetworkPolicy b-second both have priority 5 in the admin tier: netpolc evaluates a-first first (by name); a dataplane may not"`,
    );
    expect(ties[0]!.source).toMatchObject({ file: "tiers.yaml", line: 1 });
    expect(cluster.clusterPolicies.map((p) => p.ref.name)).toEqual(["a-first", "b-second", "c-other"]);
  });

  it("warns that domainNames cannot be resolved, at the peer's position", () => {
    const text = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: allow-domains
spec:
  tier: Admin
  priority: 1
  subject:
    namespaces: {}
  egress:
    - action: Accept
      to:
        - domainNames: ["*.example.com"]
`;
    const parsed = parseText(text, "d.yaml");
    const { diagnostics } = buildCluster(parsed.objects);
    const d = diagnostics.find((x) => x.code === "NP3005");
    expect(d?.severity).toBe("warning");
    expect(d?.source).toMatchObject({ file: "d.yaml", line: 13, column: 11 });
  });
});
