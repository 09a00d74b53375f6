/**
 * Engine vs tier oracle on one case (hostNetwork mode `node`, the only one the tier API defines):
 * every ordered pair of distinct pods, pod → address and address → pod, each protocol, the probe
 * ports; explainPair's verdict against each cell; and the pod-granularity listing against the cells.
 * The probes of compare.ts are extended with the tier policies' ports and networks and the Nodes'
 * addresses.
 */
import { connContains, connEquals, explainPair, formatConn } from "../../../src/model/index.js";
import { type Case, clusterPoliciesOf, nodesOf, podsOf } from "./case.js";
import {
  compareListing,
  EngineView,
  endpointName,
  PROTOCOLS,
  type ProbeLimits,
  probeIps,
  probePorts,
  thin,
} from "./compare.js";
import { formatIp, type Ip, maxOf, parseCidr, parseIp } from "./ip.js";
import type { Endpoint } from "./naive.js";
import { type IpBlockPods, TierOracle } from "./naive-tiers.js";

const MAX_REPORTED = 12;

export function tierProbePorts(c: Case): number[] {
  const seen = new Set<number>(probePorts(c));
  const add = (n: number) => {
    for (const d of [-1, 0, 1]) if (n + d >= 1 && n + d <= 65535) seen.add(n + d);
  };
  for (const p of clusterPoliciesOf(c))
    for (const r of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) {
      for (const e of r.protocols ?? [])
        for (const d of [e.tcp, e.udp, e.sctp].map((x) => x?.destinationPort)) {
          if (d?.number !== undefined) add(d.number);
          if (d?.range) [d.range.start, d.range.end].forEach(add);
        }
      for (const e of r.ports ?? []) {
        if (e.portNumber) add(e.portNumber.port);
        if (e.portRange) [e.portRange.start, e.portRange.end].forEach(add);
      }
    }
  return [...seen].sort((a, b) => a - b);
}

export function tierProbeIps(c: Case): string[] {
  const out = new Set<string>(probeIps(c));
  const add = (ip: Ip) => {
    if (ip.value >= 0n && ip.value <= maxOf(ip.family)) out.add(formatIp(ip));
  };
  const around = (family: 4 | 6, lo: bigint, hi: bigint) => {
    for (const v of [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]) add({ family, value: v });
  };
  for (const p of clusterPoliciesOf(c))
    for (const r of p.spec.egress ?? [])
      for (const peer of r.to ?? [])
        for (const text of peer.networks ?? []) {
          const { family, lo, hi } = parseCidr(text);
          around(family, lo, hi);
        }
  for (const n of nodesOf(c))
    for (const a of n.status?.addresses ?? [])
      if (a.type === "InternalIP" || a.type === "ExternalIP") {
        const ip = parseIp(a.address);
        around(ip.family, ip.value, ip.value);
      }
  return [...out];
}

/** Mismatches under both ipBlockPods values. */
export function compareTiersAll(c: Case, limits: ProbeLimits = {}): string[] {
  return (["include", "exclude"] as const).flatMap((m) => compareTiers(c, m, limits));
}

export function compareTiers(c: Case, ipBlockPods: IpBlockPods, limits: ProbeLimits = {}): string[] {
  const mode = `ipBlockPods=${ipBlockPods},hostNetwork=node`;
  const engine = new EngineView(c, { ipBlockPods, hostNetwork: "node" });
  const oracle = new TierOracle(c, ipBlockPods);
  const pods = podsOf(c);
  const ports = thin(tierProbePorts(c), limits.ports);
  const ips = thin(tierProbeIps(c), limits.ips);
  const out: string[] = [];
  const check = (src: Endpoint, dst: Endpoint) => {
    const conn = engine.conn(src, dst);
    // explainPair re-evaluates the tiers on one pair with provenance: it must reach the same cell.
    const explained = explainPair(engine.analysis, engine.endpoint(src), engine.endpoint(dst)).allowed;
    if (!connEquals(explained, conn) && out.length < MAX_REPORTED)
      out.push(
        `[${mode}] ${endpointName(src)} -> ${endpointName(dst)}: explainPair allows ${formatConn(explained)}, ` +
          `engine cell ${formatConn(conn)}`,
      );
    for (const proto of PROTOCOLS)
      for (const port of ports) {
        const want = oracle.allowed(src, dst, proto, port);
        const got = connContains(conn, proto, port);
        if (want !== got && out.length < MAX_REPORTED) {
          const dir = (d: "egress" | "ingress") =>
            oracle.decide(d, src, dst, proto, port) ? "allow" : "deny";
          out.push(
            `[${mode}] ${endpointName(src)} -> ${endpointName(dst)} ${proto}/${port}: ` +
              `oracle ${want ? "ALLOW" : "DENY"} (egress ${dir("egress")}, ingress ${dir("ingress")}), ` +
              `engine ${got ? "ALLOW" : "DENY"} (engine cell: ${formatConn(conn)})`,
          );
        }
      }
  };
  // 1. Pod pairs.
  for (const s of pods) for (const d of pods) if (s !== d) check({ pod: s }, { pod: d });
  // 2. Pods and addresses, both ways.
  for (const p of pods)
    for (const ip of ips) {
      check({ pod: p }, { ip });
      check({ ip }, { pod: p });
    }
  // 3. The listing agrees with the cells it summarises.
  out.push(...compareListing(engine, pods, ips, mode).slice(0, MAX_REPORTED));
  return out;
}
