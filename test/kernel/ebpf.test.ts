/**
 * The eBPF target on a real kernel, in the shared harness (harness.ts, expect.ts): bpf/netpolc.bpf.c
 * compiled with clang, attached with tc to the node side of the pods' veths (ebpf-load.ts), the
 * emitted maps loaded with `bpftool batch`, then every probe of the iptables/nftables suites (pod
 * pairs, pods ↔ external samples, Services through ClusterIPs and NodePorts) plus LoadBalancer and
 * Node-address frontends, compared with the model.
 *
 * The harness's node address is given to the model as a Node object, so the emitted ipcache flags
 * it and NodePorts answer on it (the program knows node addresses from the ipcache only).
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type AddressingOptions,
  assignAddresses,
  DEFAULT_ADDRESSING,
  DUAL_STACK_ADDRESSING,
} from "../../src/emit/index.js";
import {
  type Analysis,
  analyze,
  buildCluster,
  type Cluster,
  type IpAddress,
  parseIp,
  reachService,
} from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { compileProgram, describeEbpf, ensureBpffs } from "./ebpf-env.js";
import { cleanStalePins, EbpfLoader } from "./ebpf-load.js";
import {
  type Check,
  externalSamples,
  matrixChecks,
  podSpecs,
  runChecks,
  samplePorts,
  serviceChecks,
  testPods,
} from "./expect.js";
import { cleanStale, ipText, NODE_IP, type PortSpec, type Proto, Topology } from "./harness.js";
import { e2eSteps, ROOT } from "./inputs.js";
import { protocols } from "./suite.js";

/** The harness's node, as a Node object of the cluster. */
function withHarnessNode(c: Cluster): Cluster {
  const addresses = [parseIp(NODE_IP[4])!, parseIp(NODE_IP[6])!];
  const source = { file: "test/kernel/ebpf.test.ts", line: 1, column: 1 };
  return { ...c, nodes: [...c.nodes, { name: "kernel-test-node", labels: {}, addresses, source }] };
}

async function fixture(dir: string, addressing: AddressingOptions = DEFAULT_ADDRESSING): Promise<Analysis> {
  const parsed = await loadPaths([join(ROOT, dir)], {});
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${dir}: ${errors.map((d) => d.message).join("; ")}`);
  return analyze(withHarnessNode(assignAddresses(buildCluster(parsed.objects).cluster, addressing).cluster));
}

/**
 * LoadBalancer IPs, externalIPs and the Node objects' addresses (NodePorts), from the first
 * external sample of the family and from a few pods, as serviceChecks does for ClusterIPs.
 */
function frontendChecks(
  a: Analysis,
  pods: readonly number[],
  externals: readonly IpAddress[],
  tries = 3,
): Check[] {
  const out: Check[] = [];
  for (const svc of a.cluster.services) {
    if (svc.headless || svc.type === "ExternalName") continue;
    const addresses = [...svc.externalIPs, ...(svc.type === "LoadBalancer" ? svc.loadBalancerIPs : [])];
    svc.ports.forEach((sp) => {
      if (sp.protocol === "SCTP") return;
      const proto = sp.protocol.toLowerCase() as Proto;
      const frontends = addresses.map((ip) => ({ ip, port: sp.port, via: "external IP" }));
      if (sp.nodePort !== undefined)
        for (const n of a.cluster.nodes)
          for (const ip of n.addresses)
            frontends.push({ ip, port: sp.nodePort, via: `NodePort on ${n.name}` });
      for (const f of frontends) {
        const sources: { key: string; from: string; src: IpAddress; endpoint: number; pod?: number }[] = [];
        const x = externals.find((e) => e.family === f.ip.family);
        if (x)
          sources.push({
            key: `external ${ipText(x)}`,
            from: "external",
            src: x,
            endpoint: a.classCount + a.space.atomOf(x),
          });
        for (const i of pods.slice(0, 3)) {
          const p = a.cluster.pods[i]!;
          const ip = p.ips.find((y) => y.family === f.ip.family);
          if (ip)
            sources.push({
              key: `${p.namespace}/${p.name}`,
              from: `${p.namespace}/${p.name}`,
              src: ip,
              endpoint: a.index.classOfPod[i]!,
              pod: i,
            });
        }
        for (const s of sources) {
          const r = reachService(a, s.endpoint, svc, sp.port, sp.protocol, s.pod, f.ip.family);
          if (!r) continue;
          const all = r.endpoints.filter((e) => e.target.ip?.family === f.ip.family);
          if (all.length === 0 || all.some((e) => e.target.pod === undefined)) continue;
          const allowed = all.filter((e) => e.allowed);
          const answers = allowed.map(
            (e) => `${a.cluster.pods[e.target.pod!]!.namespace}/${a.cluster.pods[e.target.pod!]!.name}`,
          );
          for (let t = 0; t < tries; t++)
            out.push({
              probe: { from: s.from, src: ipText(s.src), host: ipText(f.ip), port: f.port, proto },
              expected: allowed.length > 0,
              either: allowed.length > 0 && allowed.length < all.length,
              answers,
              label: `${s.key} -> ${svc.namespace}/${svc.name} ${f.via} ${ipText(f.ip)}:${f.port}/${proto} (try ${t + 1})`,
            });
        }
      }
    });
  }
  return out;
}

interface SuiteOptions {
  readonly id: string;
  readonly steps: readonly { readonly label: string; readonly analysis: Analysis }[];
  readonly families?: readonly (4 | 6)[];
  readonly maxExternals?: number;
  readonly deniedPerPair?: number;
  readonly services?: boolean;
}

/** kernelSuite (suite.ts) for the eBPF target: one topology, per step the maps loaded afresh. */
function ebpfSuite(o: SuiteOptions): void {
  const first = o.steps[0]!.analysis;
  const pods = testPods(first);
  const analyses = o.steps.map((s) => s.analysis);
  const externals = externalSamples(analyses, o.families ?? [4], o.maxExternals ?? 6);
  const ports = samplePorts(analyses);
  const protos = protocols();
  const specs: PortSpec[] = protos.flatMap((proto) => ports.map((port) => ({ proto, port })));
  let topo: Topology | undefined;
  let loader: EbpfLoader | undefined;

  beforeAll(async () => {
    ensureBpffs();
    cleanStalePins();
    await cleanStale();
    topo = await Topology.create(`ebpf-${o.id}`, podSpecs(first, pods), externals, specs);
    loader = new EbpfLoader(compileProgram(), topo);
  }, 120_000);
  afterAll(async () => {
    await loader?.unload();
    await topo?.destroy();
  }, 60_000);

  // The harness must see a wrong dataplane: the maps of the same pods without any policy let the
  // first step's denials through.
  it("control: maps without the policies disagree with a step that denies something", async () => {
    const checks = matrixChecks(first, pods, externals, { protos: ["tcp"], ports, deniedPerPair: 1 });
    if (!checks.some((c) => !c.expected)) return;
    await loader!.load(analyze({ ...first.cluster, policies: [], clusterPolicies: [] }, first.options));
    expect((await runChecks(topo!, checks)).length).toBeGreaterThan(0);
  }, 60_000);

  for (const step of o.steps)
    it(`ebpf: ${step.label}`, async () => {
      const a = step.analysis;
      await loader!.load(a);
      const checks = [
        ...matrixChecks(a, pods, externals, { protos, ports, deniedPerPair: o.deniedPerPair }),
        ...(o.services ? [...serviceChecks(a, pods, externals), ...frontendChecks(a, pods, externals)] : []),
      ];
      expect(checks.length).toBeGreaterThan(0);
      const mismatches = await runChecks(topo!, checks);
      expect(mismatches, `${mismatches.length} of ${checks.length} probes disagree with the model`).toEqual(
        [],
      );
    }, 120_000);
}

const E2E_CASES = [
  "01-default-deny-ingress.yaml",
  "02-default-deny-all.yaml",
  "10-podselector-and-namespaceselector.yaml",
  "14-ports.yaml",
  "17-ingress-one-named-port.yaml",
  "19-egress-one-named-port.yaml",
  "22-ingress-from-updated-pod.yaml",
  "27-ingress-and-egress-together.yaml",
  "30-ingress-any-port-specific-protocol.yaml",
  "35-egress-cidr-except.yaml",
  "37-ingress-and-egress-independent.yaml",
  "44-udp-ports.yaml",
];

describeEbpf("eBPF kernel: upstream e2e cases", () => {
  ebpfSuite({
    id: "e2e",
    steps: E2E_CASES.flatMap((file) =>
      e2eSteps(file).map((s) => ({
        label: `${file} step ${s.step}`,
        analysis: analyze(withHarnessNode(s.analysis.cluster), s.analysis.options),
      })),
    ),
    maxExternals: 4,
  });
});

const [demo, named, ipv6, services] = await Promise.all([
  fixture("fixtures/demo"),
  fixture("fixtures/kernel/named-target-port"),
  fixture("fixtures/kernel/ipv6", DUAL_STACK_ADDRESSING),
  fixture("fixtures/services"),
]);

describeEbpf("eBPF kernel: Service with a named targetPort", () => {
  ebpfSuite({ id: "named", steps: [{ label: "named-target-port", analysis: named }], services: true });
});

describeEbpf("eBPF kernel: IPv6 and dual-stack", () => {
  ebpfSuite({
    id: "ipv6",
    steps: [{ label: "ipv6", analysis: ipv6 }],
    families: [4, 6],
    maxExternals: 10,
    services: true,
  });
});

describeEbpf("eBPF kernel: README demo (sampled ports)", () => {
  ebpfSuite({ id: "demo", steps: [{ label: "demo", analysis: demo }], deniedPerPair: 2, services: true });
});

describeEbpf("eBPF kernel: Services fixture (per-pod named targetPort, NodePort, LoadBalancer)", () => {
  ebpfSuite({
    id: "svc",
    steps: [{ label: "services", analysis: services }],
    deniedPerPair: 2,
    services: true,
  });
});
