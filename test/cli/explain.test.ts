/**
 * Explanations and exposure on fixtures with known answers (fixtures/tiers: Admin and Baseline
 * ClusterNetworkPolicies over NetworkPolicies; fixtures/demo). The verdicts are asserted here; the
 * full text is also kept as golden files for review.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "./golden.js";
import { ROOT, run } from "./run.js";

const TIERS = "fixtures/tiers";
const GOLDEN = join(ROOT, "fixtures/tiers-golden");

const cases = [
  {
    name: "pass-chain-ends-in-networkpolicy-allow",
    args: ["--from", "tenant-a/web", "--to", "tenant-a/api", "--port", "9000"],
    code: 0,
    must: [
      /TCP 9000: passed by ClusterNetworkPolicy tenant-isolation ingress rule 0 "pass-api-port-to-owners" \(fixtures\/tiers\/admin\.yaml:26:7\)/,
      /TCP 9000: allowed by NetworkPolicy tenant-a\/api-from-web ingress rule 0 \(fixtures\/tiers\/networkpolicies\.yaml:9:7\)/,
    ],
  },
  {
    name: "pass-chain-ends-in-networkpolicy-isolation",
    args: ["--from", "tenant-b/shop", "--to", "tenant-a/api", "--port", "9000"],
    code: 1,
    must: [
      /passed by ClusterNetworkPolicy tenant-isolation/,
      /denied: tenant-a\/api\[Deployment\] is isolated for ingress by NetworkPolicy tenant-a\/api-from-web/,
    ],
  },
  {
    name: "pass-chain-ends-in-baseline-deny",
    args: ["--from", "tenant-a/web", "--to", "tenant-b/shop", "--port", "9000"],
    code: 1,
    must: [
      /TCP 9000: passed by ClusterNetworkPolicy tenant-isolation/,
      /denied by ClusterNetworkPolicy tenant-b-default-closed ingress rule 1 "deny-everything-else" \(fixtures\/tiers\/baseline\.yaml:15:7\)/,
    ],
  },
  {
    name: "pass-chain-ends-in-default-allow",
    args: ["--from", "tenant-b/shop", "--to", "tenant-a/web", "--port", "9000"],
    code: 0,
    must: [/passed by ClusterNetworkPolicy tenant-isolation/, /TCP 9000: allowed by default/],
  },
  {
    name: "admin-deny-overrides-everything-below",
    args: ["--from", "tenant-b/shop", "--to", "tenant-a/web", "--port", "8080"],
    code: 1,
    must: [
      /denied by ClusterNetworkPolicy tenant-isolation ingress rule 1 "deny-other-tenants" \(fixtures\/tiers\/admin\.yaml:30:7\)/,
    ],
  },
  {
    name: "admin-accept-before-deny",
    args: ["--from", "monitoring/prometheus", "--to", "tenant-b/shop", "--port", "9090"],
    code: 0,
    must: [/TCP 9090: accepted by ClusterNetworkPolicy allow-monitoring ingress rule 0 "scrape"/],
  },
  {
    name: "baseline-accept-same-tenant",
    args: ["--from", "tenant-b/shop", "--to", "tenant-b/shop", "--port", "8080"],
    code: 0,
    must: [/a pod may always reach itself/],
  },
];

describe("eval --explain on the tiers fixture", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(["eval", TIERS, ...c.args, "--explain"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(c.code);
      for (const m of c.must) expect(r.stdout).toMatch(m);
      expectGolden(join(GOLDEN, `${c.name}.golden`), r.stdout);
    });
  }

  it("JSON names tier, verdict and rule for each step", async () => {
    const r = await run([
      "eval",
      TIERS,
      "--from",
      "tenant-a/web",
      "--to",
      "tenant-a/api",
      "--port",
      "9000",
      "--explain",
      "-o",
      "json",
    ]);
    const j = JSON.parse(r.stdout) as {
      allowed: boolean;
      explanation: { ingress: { steps: { tier: string; verdict: string; rule?: { index: number } }[] } }[];
    };
    expect(j.allowed).toBe(true);
    const steps = j.explanation[0]!.ingress.steps.map(
      (s) => `${s.tier}:${s.verdict}:${s.rule?.index ?? "-"}`,
    );
    // deny-other-tenants (rule 1) does not match tenant a, so the Pass leads to the NetworkPolicy.
    expect(steps).toEqual(["admin:pass:0", "networkpolicy:allow:0", "networkpolicy:isolated:-"]);
  });

  it("list --explain explains every listed connection", async () => {
    const r = await run(["list", TIERS, "--explain"]);
    expect(r.code).toBe(0);
    expectGolden(join(GOLDEN, "list-explain.golden"), r.stdout);
    expect(r.stdout).toContain("tenant-a/web[Deployment] => tenant-a/api[Deployment] : TCP 9000");
  });
});

describe("list --exposure", () => {
  it("reports hypothetical peers for the tiers fixture", async () => {
    const r = await run(["list", TIERS, "--exposure"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exposure Analysis Result:");
    // Any new pod in a new namespace labelled role=monitoring may scrape every tenant on TCP 9090.
    expect(r.stdout).toMatch(
      /tenant-b\/shop\[Deployment\] \t<= \t\[namespace with \{role=monitoring\}\]\/\[all pods\] : TCP 9090/,
    );
    // A new pod in a new namespace of tenant b: the Admin tier denies all but TCP 9000 (NotIn [a]
    // matches b), passes 9000, and the Baseline tier accepts its own tenant.
    expect(r.stdout).toMatch(
      /tenant-b\/shop\[Deployment\] \t<= \t\[namespace with \{tenant=b\}\]\/\[all pods\] : TCP 9000/,
    );
    // A pod in a new namespace without labels is denied by the Admin tier (NotIn matches absent keys).
    expect(r.stdout).not.toMatch(/shop\[Deployment\] \t<= \tentire-cluster/);
    expectGolden(join(GOLDEN, "list-exposure.golden"), r.stdout);
  });

  it("JSON form", async () => {
    const r = await run(["list", "fixtures/demo", "--exposure", "-o", "json"]);
    const j = JSON.parse(r.stdout) as {
      connlist: unknown[];
      exposure: { workload: string; direction: string; peer: string; conn: string }[];
    };
    expect(j.connlist.length).toBeGreaterThan(40);
    expect(j.exposure).toContainEqual({
      workload: "frontend/web[Deployment]",
      direction: "ingress",
      peer: "entire-cluster",
      conn: "TCP 8080",
      namespace: { labels: {} },
      podLabels: {},
    });
  });
});
