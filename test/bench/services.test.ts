/**
 * The generator's Services and the S-services measurements (bench/services.ts): as many Services as
 * asked (up to one per exposing workload plus one per container port), the first ones' text
 * unchanged by asking for more, accepted by the parser, honest (each selects exactly its workload's
 * pods and every named targetPort resolves), and the targets reported PASS/FAIL.
 */
import { describe, expect, it } from "vitest";
import type { ScenarioResult } from "../../bench/execute.js";
import { type GenerateOptions, generate } from "../../bench/generate.js";
import { evaluate, servicesLine } from "../../bench/report.js";
import { scenarios, TARGETS } from "../../bench/scenarios.js";
import { resolveAllEndpoints, SERVICE_QUERIES, serviceQueries } from "../../bench/services.js";
import { analyze, buildCluster, serviceEndpoints } from "../../src/model/index.js";
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

/** Every Service document of a generated text, in order. */
const serviceDocs = (text: string) => text.split("---\n").filter((d) => /^kind: Service$/m.test(d));
const otherDocs = (text: string) => text.split("---\n").filter((d) => !/^kind: Service$/m.test(d));

function load(o: GenerateOptions) {
  const g = generate(o);
  const parsed = parseText(g.text, "synthetic.yaml");
  const built = buildCluster(parsed.objects);
  return { g, parsed, built, cluster: built.cluster };
}

const CAPACITY = generate({ ...SMALL, services: 100_000 }).counts.services;

describe("bench generator: Services", () => {
  it("gives exactly the count asked, up to one per exposing workload plus one per container port", () => {
    expect(CAPACITY).toBeGreaterThan(SMALL.workloads);
    for (const n of [0, 1, 20, 45, CAPACITY - 1, CAPACITY])
      expect(generate({ ...SMALL, services: n }).counts.services).toBe(n);
    expect(generate({ ...SMALL, services: CAPACITY + 50 }).counts.services).toBe(CAPACITY);
  });

  it("asking for more Services leaves the first ones, and everything else, as they were", () => {
    const few = generate({ ...SMALL, services: 20 }).text;
    const many = generate({ ...SMALL, services: CAPACITY }).text;
    expect(serviceDocs(many).slice(0, 20)).toEqual(serviceDocs(few));
    expect(otherDocs(many)).toEqual(otherDocs(few));
  });

  it("is accepted by the parser, and the model reads every Service", () => {
    const { g, parsed, cluster } = load({ ...SMALL, services: CAPACITY });
    expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(cluster.services).toHaveLength(g.counts.services);
  });

  it("selects exactly one workload's pods per Service, and every port has endpoints on all of them", () => {
    const { built, cluster } = load({ ...SMALL, services: CAPACITY });
    expect(built.diagnostics.filter((d) => d.code === "NP3007" || d.code === "NP3008")).toEqual([]);
    const problems: string[] = [];
    for (const s of cluster.services) {
      const name = `${s.namespace}/${s.name}`;
      const ports = serviceEndpoints(cluster, s);
      const pods = new Set(ports.flatMap((pe) => pe.targets.map((t) => t.pod)));
      const workloads = new Set([...pods].map((i) => JSON.stringify(cluster.pods[i!]!.workload)));
      if (workloads.size !== 1) problems.push(`${name} selects ${workloads.size} workloads`);
      for (const pe of ports) {
        if (pe.problems.length > 0)
          problems.push(`${name} port ${pe.servicePort.port}: ${pe.problems[0]!.message}`);
        if (pe.targets.length !== pods.size) problems.push(`${name} port ${pe.servicePort.port} misses pods`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("writes named and numeric targetPorts, and names unique in each namespace", () => {
    const { cluster } = load({ ...SMALL, services: CAPACITY });
    const kinds = new Set(cluster.services.flatMap((s) => s.ports.map((p) => typeof p.targetPort)));
    expect([...kinds].sort()).toEqual(["number", "string"]);
    const keys = cluster.services.map((s) => `${s.namespace}/${s.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of cluster.services) expect(s.name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it("S-services asks for 2,000 Services of S's cluster, and S's size has room for them", () => {
    const all = scenarios(1);
    const s = all.find((x) => x.name === "S")!;
    const sv = all.find((x) => x.name === "S-services")!;
    expect(sv).toMatchObject({ series: "services", services: true, size: { ...s.size, services: 2000 } });
    expect(generate({ ...sv.size, services: 100_000 }).counts.services).toBeGreaterThanOrEqual(2000);
  });
});

describe("bench/services.ts", () => {
  const { cluster } = load({ ...SMALL, services: CAPACITY });
  const a = analyze(cluster);

  it("resolveAllEndpoints counts what serviceEndpoints gives", () => {
    const per = cluster.services.flatMap((s) => serviceEndpoints(cluster, s));
    expect(resolveAllEndpoints(a)).toEqual({
      services: cluster.services.length,
      ports: per.length,
      endpoints: per.reduce((n, pe) => n + pe.targets.length, 0),
      problems: 0,
      emptyPorts: 0,
    });
  });

  it("serviceQueries answers every query, deterministically for a seed", () => {
    const x = serviceQueries(a, 1);
    expect(x.answered).toBe(SERVICE_QUERIES);
    expect(x.checksum).toBeGreaterThan(0);
    expect(serviceQueries(a, 1).checksum).toBe(x.checksum);
  });
});

describe("bench report: the Service targets", () => {
  const result = (endpointsMs: number, queryMs: number): ScenarioResult =>
    ({
      name: "S-services",
      phases: { endpoints: { ms: endpointsMs } },
      services: {
        services: 2000,
        ports: 2741,
        endpoints: 31434,
        problems: 0,
        emptyPorts: 0,
        queries: 10_000,
        queryMs,
      },
      pointQueryMicros: 0.5,
    }) as unknown as ScenarioResult;
  const scenario = scenarios(1).find((x) => x.name === "S-services")!;
  const statusOf = (r: ScenarioResult) =>
    evaluate([{ scenario, result: r }])
      .filter((t) => t.label.startsWith("S-services"))
      .map((t) => `${t.label}: ${t.value} ${t.status}`);

  it("prints PASS under the targets and FAIL over them", () => {
    expect(TARGETS).toMatchObject({ serviceEndpointsMs: 200, serviceQueryMs: 1 });
    expect(statusOf(result(150, 0.2))).toEqual([
      "S-services endpoints of all 2,000 Services < 200 ms: 150 ms PASS",
      "S-services one Service query (reachService) < 1 ms: 0.20 ms PASS",
    ]);
    expect(statusOf(result(740, 1.5)).map((x) => x.split(" ").at(-1))).toEqual(["FAIL", "FAIL"]);
  });

  it("reports the Service targets as not run without S-services", () => {
    const statuses = evaluate([])
      .filter((t) => t.label.startsWith("S-services"))
      .map((t) => t.status);
    expect(statuses).toEqual(["not run", "not run"]);
  });

  it("adds one line of Service figures under the S-services row", () => {
    expect(servicesLine(result(398, 0.185))).toBe(
      "  services: 2000 Services, 2741 ports, 31k endpoints (0 selected pods not endpoints, 0 ports without any); endpoints of all 398 ms, one Service query 0.185 ms (10000 queries)",
    );
  });
});
