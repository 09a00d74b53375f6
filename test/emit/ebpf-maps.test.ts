/**
 * The emitted maps answer exactly what the model answers: decoded from the batch file by a naive
 * simulator of the program (ebpf-sim.ts) and compared with `analysis.conn` for every pair of pod
 * classes and address atoms (ebpf-compare.ts), on the demo, the Services fixture, every step of the
 * upstream e2e cases, and random clusters (fast-check, NetworkPolicies and cluster-policy tiers).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import { DUAL_STACK_ADDRESSING } from "../../src/emit/index.js";
import { type Analysis, analyze, buildCluster, serviceEndpoints } from "../../src/model/index.js";
import { e2eSteps } from "../kernel/inputs.js";
import { caseArb } from "../model/support/arbitraries.js";
import { toObjects } from "../model/support/case.js";
import { tierCaseArb } from "../model/support/tier-arbitraries.js";
import { demoAnalysis, loadCluster, ROOT, withAddresses } from "./ebpf-clusters.js";
import { compareWithModel } from "./ebpf-compare.js";
import { type Addr, fromValue, parseBatch, Sim } from "./ebpf-sim.js";

const PIN = "/sys/fs/bpf/test";

function check(a: Analysis): void {
  const e = emitEbpf(a, {}, PIN);
  const batch = e.files.find((f) => f.kind === "bpftool-batch")!.content;
  expect(compareWithModel(a, batch, PIN)).toEqual([]);
}

describe("eBPF maps equal the model", () => {
  it("on the README demo (addresses assigned)", async () => {
    check(await demoAnalysis());
  });

  it("on the README demo, dual-stack", async () => {
    check(await demoAnalysis(DUAL_STACK_ADDRESSING));
  });

  it("on the Services fixture (dual-stack, nodes, hostNetwork-free)", async () => {
    check(analyze(await loadCluster(["fixtures/services"])));
  });

  const cases = readdirSync(join(ROOT, "test", "conformance", "k8s-e2e", "cases")).filter((f) =>
    f.endsWith(".yaml"),
  );
  it.each(cases)("on every step of e2e case %s", (file) => {
    for (const step of e2eSteps(file)) check(step.analysis);
  });

  const runs = Number(process.env.FC_RUNS ?? 100);
  it("on random clusters (NetworkPolicies)", () => {
    fc.assert(
      fc.property(
        caseArb(),
        fc.constantFrom("include", "exclude") as fc.Arbitrary<"include" | "exclude">,
        (c, ipBlockPods) => {
          const { cluster } = buildCluster(toObjects(c.objects));
          check(analyze(cluster, { ipBlockPods, hostNetwork: "node" }));
        },
      ),
      { numRuns: runs },
    );
  });

  it("on random clusters (cluster-policy tiers)", () => {
    fc.assert(
      fc.property(tierCaseArb(), (c) => {
        const { cluster } = buildCluster(toObjects(c.objects));
        check(analyze(withAddresses(cluster)));
      }),
      { numRuns: runs },
    );
  });
});

describe("eBPF Service maps equal the model's endpoints", () => {
  function checkServices(a: Analysis): number {
    const batch = emitEbpf(a, {}, PIN).files.find((f) => f.kind === "bpftool-batch")!.content;
    const sim = new Sim(parseBatch(batch), PIN);
    const text = (b: { addr: Addr; port: number }) =>
      `${b.addr.family}/${[...b.addr.bytes].join(".")}:${b.port}`;
    let frontends = 0;
    for (const svc of a.cluster.services) {
      if (svc.headless || svc.type === "ExternalName") continue;
      for (const pe of serviceEndpoints(a.cluster, svc)) {
        const sp = pe.servicePort;
        const dials = [
          ...svc.clusterIPs.map((ip) => ({ ip, port: sp.port })),
          ...svc.externalIPs.map((ip) => ({ ip, port: sp.port })),
          ...a.cluster.nodes.flatMap((n) =>
            sp.nodePort === undefined ? [] : n.addresses.map((ip) => ({ ip, port: sp.nodePort! })),
          ),
        ];
        for (const d of dials) {
          const want = pe.targets
            .filter((t) => t.ip && t.ip.family === d.ip.family)
            .map((t) => text({ addr: fromValue(t.ip!.family, t.ip!.value), port: t.port }))
            .sort();
          const got = sim.backends(fromValue(d.ip.family, d.ip.value), sp.protocol, d.port)?.map(text).sort();
          expect(got, `${svc.namespace}/${svc.name} ${sp.port}/${sp.protocol}`).toEqual(want);
          frontends++;
        }
      }
    }
    return frontends;
  }

  it("on the Services fixture (named targetPorts per pod, dual-stack DNS, NodePorts on Node addresses)", async () => {
    expect(checkServices(analyze(await loadCluster(["fixtures/services"])))).toBeGreaterThan(10);
  });

  it("on the demo, dual-stack", async () => {
    expect(checkServices(await demoAnalysis(DUAL_STACK_ADDRESSING))).toBeGreaterThan(10);
  });

  it("keeps the node's endpoints only under Local traffic policies", async () => {
    const c = await loadCluster(["fixtures/services"]);
    const lb = c.services.find((s) => s.name === "storefront-lb")!;
    const doc = (node: string) =>
      JSON.parse(emitEbpf(analyze(c), { node }).files[0]!.content) as {
        services: { frontend: string; backends: { count: number } }[];
      };
    expect(lb.externalTrafficPolicy).toBe("Local");
    const count = (node: string) =>
      doc(node).services.find((f) => f.frontend === "198.51.100.7:443/TCP")!.backends.count;
    // web-… runs one replica on each node.
    expect([count("node-a"), count("node-b")]).toEqual([1, 1]);
  });
});
