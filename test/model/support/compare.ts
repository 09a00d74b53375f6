/**
 * Engine vs oracle on one case: every ordered pair of distinct pods, pod → address and
 * address → pod, each protocol, a sample of ports; plus the pod-granularity listing against the
 * engine's cells. Returns readable mismatch lines (empty = agreement).
 */
import {
  type Analysis,
  analyze,
  buildCluster,
  type Connection,
  type ConnSet,
  connContains,
  connEquals,
  connIsEmpty,
  formatConn,
  formatPeer,
  listConnections,
  parseIp as modelParseIp,
  type PeerRef,
} from "../../../src/model/index.js";
import type { Protocol } from "../../../src/parser/index.js";
import { type Case, podKey, podsOf, policiesOf, type RawPod, toObjects } from "./case.js";
import { cidrHas, formatIp, type Ip, maxOf, parseCidr, parseIp } from "./ip.js";
import { type Endpoint, Oracle, podIps, type Semantics } from "./naive.js";

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
const MAX_REPORTED = 12;

/** The engine, with endpoints named as the oracle names them (`ns/pod` or an address). */
export class EngineView {
  readonly analysis: Analysis;
  private readonly podIndex = new Map<string, number>();

  constructor(c: Case, sem: Semantics) {
    const { cluster } = buildCluster(toObjects(c.objects));
    this.analysis = analyze(cluster, { ipBlockPods: sem.ipBlockPods, hostNetwork: sem.hostNetwork });
    cluster.pods.forEach((p, i) => {
      this.podIndex.set(`${p.namespace}/${p.name}`, i);
    });
  }

  endpoint(e: Endpoint): number {
    if ("pod" in e) {
      const i = this.podIndex.get(podKey(e.pod));
      if (i === undefined) throw new Error(`engine lost pod ${podKey(e.pod)}`);
      return this.analysis.index.classOfPod[i]!;
    }
    const ip = modelParseIp(e.ip);
    if (!ip) throw new Error(`model cannot parse ${e.ip}`);
    return this.analysis.classCount + this.analysis.space.atomOf(ip);
  }

  conn(src: Endpoint, dst: Endpoint): ConnSet {
    return this.analysis.conn(this.endpoint(src), this.endpoint(dst));
  }
}

export function endpointName(e: Endpoint): string {
  return "pod" in e ? podKey(e.pod) : e.ip;
}

/** Every port number in the case, its neighbours, the extremes and the case's random probes. */
export function probePorts(c: Case): number[] {
  const seen = new Set<number>([1, 65535, ...(c.probePorts ?? [])]);
  for (const p of podsOf(c))
    for (const ct of p.spec.containers ?? []) for (const cp of ct.ports ?? []) seen.add(cp.containerPort);
  for (const pol of policiesOf(c))
    for (const r of [...(pol.spec.ingress ?? []), ...(pol.spec.egress ?? [])])
      for (const pp of r.ports ?? []) {
        if (typeof pp.port === "number") seen.add(pp.port);
        if (pp.endPort !== undefined) seen.add(pp.endPort);
      }
  const out = new Set<number>();
  for (const n of seen) for (const d of [-1, 0, 1]) if (n + d >= 1 && n + d <= 65535) out.add(n + d);
  return [...out].sort((a, b) => a - b);
}

/** Every CIDR/except boundary and its neighbours, every pod IP, and the case's random probes. */
export function probeIps(c: Case): string[] {
  const out = new Set<string>(c.probeIps ?? []);
  const add = (ip: Ip) => {
    if (ip.value >= 0n && ip.value <= maxOf(ip.family)) out.add(formatIp(ip));
  };
  for (const pol of policiesOf(c))
    for (const r of [
      ...(pol.spec.ingress ?? []).map((x) => x.from),
      ...(pol.spec.egress ?? []).map((x) => x.to),
    ])
      for (const peer of r ?? [])
        for (const text of peer.ipBlock ? [peer.ipBlock.cidr, ...(peer.ipBlock.except ?? [])] : []) {
          const { family, lo, hi } = parseCidr(text);
          for (const v of [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]) add({ family, value: v });
        }
  for (const p of podsOf(c)) for (const ip of podIps(p)) add(parseIp(ip));
  return [...out];
}

/** Every combination of the semantic options; `distinguish` only matters with hostNetwork pods. */
export function semanticsFor(c: Case): Semantics[] {
  const host = podsOf(c).some((p) => p.spec.hostNetwork === true);
  return (["include", "exclude"] as const).flatMap((ipBlockPods) =>
    (host ? (["node", "distinguish"] as const) : (["node"] as const)).map((hostNetwork) => ({
      ipBlockPods,
      hostNetwork,
    })),
  );
}

export function semanticsName(s: Semantics): string {
  return `ipBlockPods=${s.ipBlockPods},hostNetwork=${s.hostNetwork}`;
}

/** Caps on the probes per case (large clusters): an evenly spread subset is kept. */
export interface ProbeLimits {
  readonly ports?: number;
  readonly ips?: number;
}

export function thin<T>(list: readonly T[], max: number | undefined): T[] {
  if (max === undefined || list.length <= max) return [...list];
  return Array.from(
    { length: max },
    (_, i) => list[Math.round((i * (list.length - 1)) / Math.max(1, max - 1))]!,
  );
}

/** All mismatches of the case under every combination of the semantic options. */
export function compareAll(c: Case, limits: ProbeLimits = {}): string[] {
  return semanticsFor(c).flatMap((s) => compareCase(c, s, limits));
}

export function compareCase(c: Case, sem: Semantics, limits: ProbeLimits = {}): string[] {
  const mode = semanticsName(sem);
  const engine = new EngineView(c, sem);
  const oracle = new Oracle(c, sem);
  const pods = podsOf(c);
  const ports = thin(probePorts(c), limits.ports);
  const ips = thin(probeIps(c), limits.ips);
  const out: string[] = [];
  const check = (src: Endpoint, dst: Endpoint) => {
    const conn = engine.conn(src, dst);
    for (const proto of PROTOCOLS)
      for (const port of ports) {
        const want = oracle.allowed(src, dst, proto, port);
        const got = connContains(conn, proto, port);
        if (want !== got && out.length < MAX_REPORTED)
          out.push(
            `[${mode}] ${endpointName(src)} -> ${endpointName(dst)} ${proto}/${port}: ` +
              `oracle ${want ? "ALLOW" : "DENY"}, engine ${got ? "ALLOW" : "DENY"} (engine cell: ${formatConn(conn)})`,
          );
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

export function compareListing(
  engine: EngineView,
  pods: readonly RawPod[],
  ips: readonly string[],
  mode: string,
): string[] {
  const rows = listConnections(engine.analysis, { granularity: "pod", families: [4, 6] });
  const out: string[] = [];
  // Rows grouped by their in-cluster end: `src|dst` for pod pairs, `>pod` / `<pod` for external ends.
  const name = (r: PeerRef) => (r.kind === "pod" ? `${r.namespace}/${r.name}` : undefined);
  const byKey = new Map<string, Connection[]>();
  const add = (key: string, row: Connection) => {
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  };
  for (const r of rows) {
    const s = name(r.src);
    const d = name(r.dst);
    if (s && d) add(`${s}|${d}`, r);
    else if (s && r.dst.kind === "external") add(`>${s}`, r);
    else if (d && r.src.kind === "external") add(`<${d}`, r);
    else out.push(`[${mode}] unexpected listing row ${formatPeer(r.src)} -> ${formatPeer(r.dst)}`);
  }
  const covers = (r: PeerRef, ip: Ip) =>
    r.kind === "external" && cidrHas({ family: r.range.family, lo: r.range.lo, hi: r.range.hi }, ip);
  const expectRow = (what: string, found: readonly Connection[], cell: ConnSet) => {
    if (found.length > 1) out.push(`[${mode}] listing has ${found.length} rows for ${what}`);
    const row = found[0];
    if (!row && !connIsEmpty(cell)) out.push(`[${mode}] listing misses ${what}: cell ${formatConn(cell)}`);
    if (row && !connEquals(row.conn, cell))
      out.push(
        `[${mode}] listing ${formatPeer(row.src)} -> ${formatPeer(row.dst)} says ${formatConn(row.conn)}, cell ${formatConn(cell)}`,
      );
  };
  for (const s of pods)
    for (const d of pods)
      if (s !== d)
        expectRow(
          `${podKey(s)} -> ${podKey(d)}`,
          byKey.get(`${podKey(s)}|${podKey(d)}`) ?? [],
          engine.conn({ pod: s }, { pod: d }),
        );
  for (const p of pods) {
    const outgoing = byKey.get(`>${podKey(p)}`) ?? [];
    const incoming = byKey.get(`<${podKey(p)}`) ?? [];
    for (const ip of ips) {
      const a = parseIp(ip);
      expectRow(
        `${podKey(p)} -> ${ip}`,
        outgoing.filter((r) => covers(r.dst, a)),
        engine.conn({ pod: p }, { ip }),
      );
      expectRow(
        `${ip} -> ${podKey(p)}`,
        incoming.filter((r) => covers(r.src, a)),
        engine.conn({ ip }, { pod: p }),
      );
    }
  }
  return out;
}
