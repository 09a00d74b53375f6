/**
 * The policy plan against the model, without a kernel: a packet is allowed by the plan when the
 * source's egress group chain (on the source's node) and the destination's ingress group chain (on
 * the destination's node) both allow it, read exactly as the emitters write the chains (pod cells,
 * then every other pod address dropped, then external cells, then drop). Compared with
 * `analysis.conn` for every ordered pair of pods and pods ↔ external samples, on sample ports.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DUAL_STACK_ADDRESSING,
  type GroupChain,
  nodesOf,
  type PolicyPlan,
  planPolicy,
} from "../../src/emit/index.js";
import { type Analysis, connContains, type IpAddress, type Protocol } from "../../src/model/index.js";
import { externalSamples, samplePorts, testPods } from "../kernel/expect.js";
import { e2eSteps, fixtureAnalysis } from "../kernel/inputs.js";

const has = (set: GroupChain["members"], ip: IpAddress) =>
  set.family === ip.family && set.ranges.some((r) => r.lo <= ip.value && ip.value <= r.hi);

function chainAllows(
  g: GroupChain,
  pods: GroupChain["members"],
  peer: IpAddress,
  proto: Protocol,
  port: number,
): boolean {
  if (g.pods.some((c) => has(c.peers, peer) && connContains(c.conn, proto, port))) return true;
  if (has(pods, peer)) return false;
  return g.external.some((c) => has(c.peers, peer) && connContains(c.conn, proto, port));
}

function side(
  plan: PolicyPlan,
  dir: "egress" | "ingress",
  local: IpAddress,
  peer: IpAddress,
  proto: Protocol,
  port: number,
): boolean {
  const fp = plan.families.find((f) => f.family === local.family);
  const g = fp?.[dir].find((c) => has(c.members, local));
  return !g || chainAllows(g, fp!.pods, peer, proto, port);
}

/** Mismatches between the plans (one per node) and the model. */
function compare(a: Analysis, plans: Map<string | undefined, PolicyPlan>): string[] {
  const K = a.classCount;
  const nodeOf = (pod: number) => (plans.size === 1 ? [...plans.keys()][0] : a.cluster.pods[pod]!.nodeName);
  const ends = [
    ...testPods(a).map((i) => ({
      ep: a.index.classOfPod[i]!,
      ips: a.cluster.pods[i]!.ips,
      node: nodeOf(i),
      pod: true,
    })),
    ...externalSamples([a], [4, 6], 8).map((ip) => ({
      ep: K + a.space.atomOf(ip),
      ips: [ip],
      node: undefined,
      pod: false,
    })),
  ];
  const ports = samplePorts([a]);
  const out: string[] = [];
  for (const s of ends)
    for (const d of ends) {
      if (s === d || (!s.pod && !d.pod)) continue;
      const conn = a.conn(s.ep, d.ep);
      for (const sip of s.ips)
        for (const dip of d.ips) {
          if (sip.family !== dip.family) continue;
          for (const proto of ["TCP", "UDP", "SCTP"] as const)
            for (const port of ports) {
              const egress = !s.pod || side(plans.get(s.node)!, "egress", sip, dip, proto, port);
              const ingress = !d.pod || side(plans.get(d.node)!, "ingress", dip, sip, proto, port);
              if (egress && ingress !== connContains(conn, proto, port))
                out.push(`${s.ep}(${sip.value}) -> ${d.ep}(${dip.value}) ${proto}/${port}`);
              else if (!egress && connContains(conn, proto, port))
                out.push(`${s.ep} -> ${d.ep} ${proto}/${port} (egress)`);
            }
        }
    }
  return out;
}

const single = (a: Analysis) => new Map([[undefined, planPolicy(a, undefined)]]);

describe("policy plan ≡ model", () => {
  const cases = readdirSync(join(import.meta.dirname, "..", "conformance", "k8s-e2e", "cases"))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  for (const file of cases)
    it(`e2e ${file}`, () => {
      for (const { analysis } of e2eSteps(file)) expect(compare(analysis, single(analysis))).toEqual([]);
    });

  // netpol-analyzer's convention: an ipBlock never matches pods (their addresses are dropped before
  // any external cell), and hostNetwork pods policed like pods.
  for (const file of cases.filter((f) => /cidr|ip-in/.test(f)))
    it(`e2e ${file} (--ipblock-pods exclude)`, () => {
      for (const { analysis } of e2eSteps(file, { ipBlockPods: "exclude" }))
        expect(compare(analysis, single(analysis))).toEqual([]);
    });

  for (const dir of [
    "fixtures/demo",
    "fixtures/services",
    "fixtures/tiers",
    "fixtures/kernel/named-target-port",
    "fixtures/kernel/ipv6",
  ])
    it(dir, async () => {
      const a = await fixtureAnalysis(dir, DUAL_STACK_ADDRESSING);
      expect(compare(a, single(a))).toEqual([]);
    });

  it("per node: egress on the source's node, ingress on the destination's (fixtures/services)", async () => {
    const a = await fixtureAnalysis("fixtures/services");
    const nodes = nodesOf(a.cluster);
    expect(nodes).toEqual(["node-a", "node-b"]);
    const plans = new Map(nodes.map((n) => [n, planPolicy(a, n)] as const));
    // Every local pod of a node is a member of its chains there, and no other pod is.
    for (const [node, plan] of plans)
      for (const fp of plan.families)
        for (const g of [...fp.egress, ...fp.ingress])
          for (const r of g.members.ranges) {
            const pod = a.cluster.pods.find((p) =>
              p.ips.some((ip) => ip.family === r.family && ip.value >= r.lo && ip.value <= r.hi),
            );
            expect(pod?.nodeName).toBe(node);
          }
    expect(compare(a, plans)).toEqual([]);
  });
});
