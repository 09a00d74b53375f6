/**
 * What the kernel should do, from the model: probes with their expected outcome, and the run that
 * compares the observed matrix with `analysis.conn`.
 *
 * - pods: every pod with an IP that is not hostNetwork (a hostNetwork pod is the node itself);
 * - external samples: one address per external atom (not a pod, Service, node or gateway address,
 *   nor a martian the kernel refuses to route), at most `max`, evenly spread;
 * - ports: every port the policies name (a range's ends and the ports just outside them), every
 *   container port, and 4242, which nothing names; on TCP and UDP, and SCTP when the kernel has it.
 */
import {
  type Analysis,
  connContains,
  type IpAddress,
  type IpFamily,
  type Protocol,
  reachService,
  serviceEndpoints,
} from "../../src/model/index.js";
import {
  ipText,
  NODE_IP,
  type PodSpec,
  type Probe,
  type ProbeResult,
  type Proto,
  type Topology,
} from "./harness.js";

export interface Check {
  readonly probe: Probe;
  /** Allowed by the model. */
  readonly expected: boolean;
  /** Pod keys one of which must answer when the probe passes (any when undefined). */
  readonly answers?: readonly string[] | undefined;
  /** Service probes with endpoints of both verdicts: either outcome is right (the choice is random). */
  readonly either?: boolean;
  /** Probes of one group (same source and Service address): at least one of them must pass. */
  readonly group?: string | undefined;
  readonly label: string;
}

export function testPods(a: Analysis): number[] {
  const out: number[] = [];
  a.cluster.pods.forEach((p, i) => {
    if (p.ips.length > 0 && !p.hostNetwork) out.push(i);
  });
  return out;
}

export function podSpecs(a: Analysis, pods: readonly number[]): PodSpec[] {
  return pods.map((i) => {
    const p = a.cluster.pods[i]!;
    return { key: `${p.namespace}/${p.name}`, ips: p.ips };
  });
}

const V4_MARTIANS: readonly [bigint, number][] = [
  [0n, 8],
  [0x7f000000n, 8],
  [0xa9fe0000n, 16],
  [0xe0000000n, 3],
  [0x0ac90000n, 24], // 10.201.0.0/24: the node's addresses
];
const V6_MARTIANS: readonly [bigint, number][] = [
  [0n, 96],
  [0xffffn << 32n, 96],
  [0xfe80n << 112n, 10],
  [0xff00n << 112n, 8],
  [0xfd000201n << 96n, 64],
];

function martian(ip: IpAddress): boolean {
  const width = ip.family === 4 ? 32 : 128;
  return (ip.family === 4 ? V4_MARTIANS : V6_MARTIANS).some(
    ([net, bits]) => ip.value >> BigInt(width - bits) === net >> BigInt(width - bits),
  );
}

/** One sample address per external atom of `families` over every analysis, at most `max`. */
export function externalSamples(
  analyses: readonly Analysis[],
  families: readonly IpFamily[],
  max = 12,
): IpAddress[] {
  const taken = new Set<string>();
  for (const a of analyses) {
    for (const p of a.cluster.pods) for (const ip of p.ips) taken.add(`${ip.family}:${ip.value}`);
    for (const s of a.cluster.services)
      for (const ip of [...s.clusterIPs, ...s.externalIPs, ...s.loadBalancerIPs])
        taken.add(`${ip.family}:${ip.value}`);
    for (const n of a.cluster.nodes) for (const ip of n.addresses) taken.add(`${ip.family}:${ip.value}`);
  }
  const picked = new Map<string, IpAddress>();
  for (const a of analyses)
    for (const atom of a.space.atoms) {
      if (!families.includes(atom.family)) continue;
      const span = atom.hi - atom.lo;
      const candidates = [span / 2n, 1n, span - 1n, span / 4n, (3n * span) / 4n, 0n, span].map(
        (d) => atom.lo + d,
      );
      const ip = candidates
        .map((value) => ({ family: atom.family, value }))
        .find(
          (c) =>
            c.value >= atom.lo && c.value <= atom.hi && !martian(c) && !taken.has(`${c.family}:${c.value}`),
        );
      if (ip) picked.set(`${ip.family}:${ip.value}`, ip);
    }
  const all = [...picked.values()].sort((x, y) => x.family - y.family || (x.value < y.value ? -1 : 1));
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)]!);
}

export function samplePorts(analyses: readonly Analysis[], extra: readonly number[] = []): number[] {
  const s = new Set<number>([4242, ...extra]);
  for (const a of analyses) {
    for (const p of [...a.cluster.policies, ...a.cluster.clusterPolicies])
      for (const r of [...p.ingress, ...p.egress])
        for (const m of r.ports)
          if (m.kind === "range") {
            for (const port of [m.from - 1, m.from, m.to, m.to + 1])
              if (port >= 1 && port <= 65535) s.add(port);
          }
    for (const pod of a.cluster.pods) for (const cp of pod.ports) s.add(cp.port);
    for (const svc of a.cluster.services)
      for (const pe of serviceEndpoints(a.cluster, svc)) for (const t of pe.targets) s.add(t.port);
  }
  return [...s].sort((x, y) => x - y);
}

const PROTOCOL: Record<Proto, Protocol> = { tcp: "TCP", udp: "UDP", sctp: "SCTP" };

export interface MatrixOptions {
  readonly protos: readonly Proto[];
  readonly ports: readonly number[];
  /**
   * Large inputs: per ordered pair, every sample port the model allows plus this many of the
   * others, chosen by a hash of the pair (deterministic). Undefined: every port.
   */
  readonly deniedPerPair?: number | undefined;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Every ordered pair of test pods, and pods ↔ external samples. */
export function matrixChecks(
  a: Analysis,
  pods: readonly number[],
  externals: readonly IpAddress[],
  o: MatrixOptions,
): Check[] {
  const K = a.classCount;
  const out: Check[] = [];
  type End = { key: string; from: string; endpoint: number; ips: readonly IpAddress[] };
  const podEnds: End[] = pods.map((i) => {
    const p = a.cluster.pods[i]!;
    const key = `${p.namespace}/${p.name}`;
    return { key, from: key, endpoint: a.index.classOfPod[i]!, ips: p.ips };
  });
  const extEnds: End[] = externals.map((ip) => ({
    key: `external ${ipText(ip)}`,
    from: "external",
    endpoint: K + a.space.atomOf(ip),
    ips: [ip],
  }));
  const pair = (s: End, d: End) => {
    const conn = a.conn(s.endpoint, d.endpoint);
    for (const proto of o.protos) {
      const allowed = o.ports.filter((p) => connContains(conn, PROTOCOL[proto], p));
      let ports = o.ports;
      if (o.deniedPerPair !== undefined) {
        const denied = o.ports.filter((p) => !allowed.includes(p));
        const start = denied.length > 0 ? hash(`${s.key}>${d.key}/${proto}`) % denied.length : 0;
        const some = Array.from(
          { length: Math.min(o.deniedPerPair, denied.length) },
          (_, i) => denied[(start + i) % denied.length]!,
        );
        ports = [...allowed, ...some].sort((x, y) => x - y);
      }
      for (const port of ports)
        for (const sip of s.ips)
          for (const dip of d.ips) {
            if (sip.family !== dip.family) continue;
            out.push({
              probe: { from: s.from, src: ipText(sip), host: ipText(dip), port, proto },
              expected: allowed.includes(port),
              answers: [d.from === "external" ? "external" : d.key],
              label: `${s.key} -> ${d.key} (${ipText(dip)}) ${proto}/${port}`,
            });
          }
    }
  };
  for (const s of podEnds) for (const d of podEnds) if (s.key !== d.key) pair(s, d);
  for (const p of podEnds)
    for (const x of extEnds) {
      pair(p, x);
      pair(x, p);
    }
  return out;
}

/**
 * Service probes: from every test pod (and every external sample of the family) to each
 * ClusterIP:port, and to NODE_IP:nodePort, `tries` times each. The answer must come from an endpoint
 * the model allows for that source (policy is enforced after translation); when the model allows
 * every endpoint the probe must pass, when it allows none it must fail. When it allows some, each
 * probe may land on either kind, but some must pass: enough tries are made that all failing by
 * chance is below 1e-5 (not for ClientIP affinity, where one client sticks to one endpoint).
 */
export function serviceChecks(
  a: Analysis,
  pods: readonly number[],
  externals: readonly IpAddress[],
  tries = 3,
): Check[] {
  const out: Check[] = [];
  for (const svc of a.cluster.services) {
    if (svc.headless || svc.type === "ExternalName") continue;
    for (const pe of serviceEndpoints(a.cluster, svc)) {
      const sp = pe.servicePort;
      const proto = sp.protocol.toLowerCase() as Proto;
      if (proto === "sctp") continue;
      for (const family of [4, 6] as const) {
        const frontends = svc.clusterIPs
          .filter((ip) => ip.family === family)
          .map((ip) => ({ host: ipText(ip), port: sp.port, via: "ClusterIP" }));
        if (sp.nodePort !== undefined && frontends.length > 0)
          frontends.push({ host: NODE_IP[family], port: sp.nodePort, via: "NodePort" });
        const sources: { key: string; from: string; src: string; endpoint: number; pod?: number }[] = [];
        for (const i of pods) {
          const p = a.cluster.pods[i]!;
          const ip = p.ips.find((x) => x.family === family);
          if (ip)
            sources.push({
              key: `${p.namespace}/${p.name}`,
              from: `${p.namespace}/${p.name}`,
              src: ipText(ip),
              endpoint: a.index.classOfPod[i]!,
              pod: i,
            });
        }
        for (const x of externals.filter((e) => e.family === family))
          sources.push({
            key: `external ${ipText(x)}`,
            from: "external",
            src: ipText(x),
            endpoint: a.classCount + a.space.atomOf(x),
          });
        for (const f of frontends)
          for (const s of sources) {
            // Only external sources through the node port (a ClusterIP is not routed to them).
            if (s.from === "external" && f.via !== "NodePort") continue;
            const r = reachService(a, s.endpoint, svc, sp.port, sp.protocol, s.pod, family);
            if (!r) continue;
            const allowed = r.endpoints.filter((e) => e.allowed && e.target.ip?.family === family);
            const all = r.endpoints.filter((e) => e.target.ip?.family === family);
            // Endpoints outside the cluster have no server here.
            if (all.length === 0 || all.some((e) => e.target.pod === undefined)) continue;
            const answers = allowed.map((e) => {
              const p = a.cluster.pods[e.target.pod!]!;
              return `${p.namespace}/${p.name}`;
            });
            const either = allowed.length > 0 && allowed.length < all.length;
            const sticky = svc.sessionAffinity === "ClientIP";
            const n =
              either && !sticky
                ? Math.min(40, Math.ceil(Math.log(1e-5) / Math.log(1 - allowed.length / all.length)))
                : tries;
            const label = `${s.key} -> ${svc.namespace}/${svc.name} ${f.via} ${f.host}:${f.port}/${proto}`;
            for (let t = 0; t < n; t++)
              out.push({
                probe: { from: s.from, src: s.src, host: f.host, port: f.port, proto },
                expected: allowed.length > 0,
                either,
                group: either && !sticky ? label : undefined,
                answers,
                label: `${label} (try ${t + 1})`,
              });
          }
      }
    }
  }
  return out;
}

/** Runs the checks; the mismatches, as text (empty: the kernel agrees with the model). */
export async function runChecks(topo: Topology, checks: readonly Check[]): Promise<string[]> {
  const results: ProbeResult[] = await topo.probe(checks.map((c) => c.probe));
  // A probe that should pass but did not is tried again with longer timeouts: on a busy machine a
  // burst of thousands of concurrent probes can delay an answer past the first 1 s. A probe that
  // passes is never retried (a dropped packet cannot pass by chance). Retried too: the failed tries
  // of a group none of whose tries passed, since under load all of them can time out, those that
  // reached an allowed endpoint included (each retry is a new connection from a new source port,
  // so it draws its backend afresh).
  for (const timeout of [4000, 8000]) {
    const reached = new Set(checks.filter((c, i) => c.group && results[i]!.ok).map((c) => c.group));
    const again = checks
      .map((c, i) =>
        c.expected && !results[i]!.ok && (c.group ? !reached.has(c.group) : !c.either) ? i : -1,
      )
      .filter((i) => i >= 0);
    if (process.env.NETPOLC_KERNEL_DEBUG)
      process.stderr.write(
        `[kernel] ${checks.length} probes, ${results.filter((r) => r.ok).length} passed, ${again.length} to retry: ${again
          .slice(0, 3)
          .map((i) => `${checks[i]!.label} (${results[i]!.error})`)
          .join("; ")}\n`,
      );
    if (again.length === 0) break;
    const next = await topo.probe(
      again.map((i) => checks[i]!.probe),
      timeout,
    );
    again.forEach((i, k) => {
      results[i] = next[k]!;
    });
  }
  const out: string[] = [];
  const groups = new Map<string, { tries: number; passed: number }>();
  checks.forEach((c, i) => {
    if (!c.group) return;
    const g = groups.get(c.group) ?? { tries: 0, passed: 0 };
    g.tries++;
    if (results[i]!.ok) g.passed++;
    groups.set(c.group, g);
  });
  for (const [label, g] of groups)
    if (g.passed === 0)
      out.push(`${label}: the model allows some endpoints, but none of ${g.tries} tries passed`);
  checks.forEach((c, i) => {
    const r = results[i]!;
    if (r.ok && c.answers && !c.answers.includes(r.reply ?? "")) {
      out.push(
        `${c.label}: answered by ${r.reply}, expected ${c.answers.length > 0 ? c.answers.join(" or ") : "no answer"}`,
      );
      return;
    }
    if (c.either) return;
    if (r.ok !== c.expected)
      out.push(
        `${c.label}: model ${c.expected ? "allows" : "denies"}, kernel ${r.ok ? "allowed" : `denied (${r.error})`}`,
      );
  });
  return out;
}
