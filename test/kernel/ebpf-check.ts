/**
 * Kernel vs model: the pods of an analysis as a Topology, probes between them (and from and to the
 * outside host), and the comparison of what got through with `analysis.conn` / `reachService`.
 * A probe got through when it was answered or refused by the destination's stack (`open`,
 * `refused`), and was blocked when it timed out.
 */
import {
  type Analysis,
  connContains,
  formatIp,
  type IpAddress,
  type Protocol,
  parseIp,
  reachService,
  type Service,
  serviceEndpoints,
} from "../../src/model/index.js";
import type { PodSpec, Probe, ProbeResult, Topology } from "./ebpf-net.js";
import { OUTSIDE } from "./ebpf-net.js";

export const ipText = (ip: IpAddress) => formatIp(ip.family, ip.value);

/**
 * The pods the program enforces on (an address, not hostNetwork), serving on their container ports
 * and on the target ports of the Services they back.
 */
export function podSpecs(a: Analysis): PodSpec[] {
  const extra = new Map<number, { protocol: Protocol; port: number }[]>();
  for (const svc of a.cluster.services)
    for (const pe of serviceEndpoints(a.cluster, svc))
      for (const t of pe.targets)
        if (t.pod !== undefined)
          extra.set(t.pod, [...(extra.get(t.pod) ?? []), { protocol: t.protocol, port: t.port }]);
  const ports = (list: readonly { protocol: Protocol; port: number }[], protocol: Protocol) =>
    [...new Set(list.filter((x) => x.protocol === protocol).map((x) => x.port))].sort((x, y) => x - y);
  return a.cluster.pods.flatMap((p, i) => {
    if (p.ips.length === 0 || p.hostNetwork || i === a.ingressControllerPod) return [];
    const all = [...p.ports, ...(extra.get(i) ?? [])];
    return [
      {
        name: `${p.namespace}/${p.name}`,
        ips: p.ips.map(ipText),
        tcp: ports(all, "TCP"),
        udp: ports(all, "UDP"),
      },
    ];
  });
}

export interface Expectation {
  readonly from: string;
  readonly probe: Probe;
  readonly allowed: boolean;
  readonly label: string;
}

const reached = (r: ProbeResult) => r.outcome === "open" || r.outcome === "refused";

/** Endpoint id of a pod by name, or of an address (its atom). */
export function endpointOf(a: Analysis, name: string): number {
  const i = a.cluster.pods.findIndex((p) => `${p.namespace}/${p.name}` === name);
  if (i >= 0) return a.index.classOfPod[i]!;
  const ip = parseIp(name);
  if (!ip) throw new Error(`unknown endpoint ${name}`);
  return a.classCount + a.space.atomOf(ip);
}

/** What the model says about one probe from a pod (or an outside address) to a pod address. */
export function expect1(a: Analysis, from: string, to: string, probe: Probe): Expectation {
  const src = from === OUTSIDE ? probe.src! : from;
  const allowed = connContains(a.conn(endpointOf(a, src), endpointOf(a, to)), probe.protocol, probe.port);
  return { from, probe, allowed, label: `${src} -> ${to} (${probe.dst}) ${probe.protocol}/${probe.port}` };
}

/** Runs every source's probes at once and lists the disagreements with the model. */
export async function runExpectations(t: Topology, list: readonly Expectation[]): Promise<string[]> {
  const bySource = new Map<string, Expectation[]>();
  for (const e of list) bySource.set(e.from, [...(bySource.get(e.from) ?? []), e]);
  const bad: string[] = [];
  await Promise.all(
    [...bySource].map(async ([from, es]) => {
      const results = await t.probe(
        from,
        es.map((e) => e.probe),
      );
      es.forEach((e, i) => {
        const r = results[i]!;
        if (r.outcome === "error") bad.push(`${e.label}: probe error ${r.detail}`);
        else if (reached(r) !== e.allowed)
          bad.push(`${e.label}: model ${e.allowed ? "allows" : "denies"}, kernel ${r.outcome}`);
      });
    }),
  );
  return bad.sort();
}

/**
 * Service probes: `tries` connections from a pod to a frontend (each from a new source port, so
 * the flow hash spreads them over the backends). Every connection must end at an endpoint the
 * model allows (the server names itself and its port), or time out when it chose a refused one;
 * every allowed endpoint must be reached at least once.
 */
export async function checkService(
  t: Topology,
  a: Analysis,
  from: string,
  service: Service,
  frontend: string,
  port: number,
  protocol: Protocol,
  tries = 24,
): Promise<string[]> {
  const srcPod = a.cluster.pods.findIndex((p) => `${p.namespace}/${p.name}` === from);
  const family = frontend.includes(":") ? 6 : 4;
  const reach = reachService(a, a.index.classOfPod[srcPod]!, service, port, protocol, srcPod, family);
  if (!reach) return [`${service.namespace}/${service.name} has no port ${port}/${protocol}`];
  const name = (i: number | undefined) =>
    i === undefined ? "?" : `${a.cluster.pods[i]!.namespace}/${a.cluster.pods[i]!.name}`;
  const allowed = new Set(
    reach.endpoints.filter((e) => e.allowed).map((e) => `${name(e.target.pod)}:${e.target.port}`),
  );
  const all = new Set(reach.endpoints.map((e) => `${name(e.target.pod)}:${e.target.port}`));
  const results = await t.probe(
    from,
    Array.from({ length: tries }, () => ({ dst: frontend, port, protocol: protocol as "TCP" | "UDP" })),
  );
  const bad: string[] = [];
  const seen = new Set<string>();
  const label = `${from} -> ${frontend}:${port}/${protocol}`;
  for (const r of results) {
    if (r.outcome === "timeout") continue;
    if (r.outcome !== "open" || !r.reply) {
      bad.push(`${label}: ${r.outcome} ${r.detail ?? ""} (expected an answer from an endpoint)`);
      continue;
    }
    seen.add(r.reply);
    if (!allowed.has(r.reply))
      bad.push(
        `${label}: answered by ${r.reply}, ${all.has(r.reply) ? "which the model refuses" : "not an endpoint"}`,
      );
  }
  for (const e of allowed)
    if (!seen.has(e)) bad.push(`${label}: allowed endpoint ${e} never answered in ${tries} tries`);
  if (allowed.size < all.size && results.every((r) => r.outcome !== "timeout"))
    bad.push(
      `${label}: no connection was refused although the model refuses ${[...all].filter((x) => !allowed.has(x)).join(", ")}`,
    );
  return bad;
}
