/**
 * Emitted maps vs the model: for every pod class (one address it owns) and every address atom (its
 * first and last address), every ordered pair with a pod on one side, every protocol, the
 * simulator's first-packet decision must equal `analysis.conn`. Ports: every boundary of the
 * model's set and of the map entries that can decide the pair (±1), which makes the check
 * exhaustive over ports.
 */
import { type Analysis, connContains, PROTOCOLS } from "../../src/model/index.js";
import { type Addr, fromValue, parseBatch, portBlocks, Sim } from "./ebpf-sim.js";

interface Probe {
  readonly name: string;
  readonly addr: Addr;
  readonly endpoint: number;
}

export function probesOf(a: Analysis): Probe[] {
  const out: Probe[] = [];
  const podIps = new Set<string>();
  for (const p of a.cluster.pods) for (const ip of p.ips) podIps.add(`${ip.family}/${ip.value}`);
  // One address per class, not shared with a pod of another class (the emitter keeps it for one).
  const classesOfIp = new Map<string, Set<number>>();
  a.cluster.pods.forEach((p, i) => {
    for (const ip of p.ips) {
      const k = `${ip.family}/${ip.value}`;
      const set = classesOfIp.get(k) ?? new Set<number>();
      set.add(a.index.classOfPod[i]!);
      classesOfIp.set(k, set);
    }
  });
  for (const c of a.index.classes) {
    const pod = c.pods.map((i) => a.cluster.pods[i]!).find((p) => p.ips.length > 0);
    const ip = pod?.ips.find((x) => classesOfIp.get(`${x.family}/${x.value}`)!.size === 1);
    if (pod && ip)
      out.push({
        name: `${pod.namespace}/${pod.name}`,
        addr: fromValue(ip.family, ip.value),
        endpoint: c.index,
      });
  }
  a.space.atoms.forEach((atom, i) => {
    for (const v of atom.lo === atom.hi ? [atom.lo] : [atom.lo, atom.hi])
      if (!podIps.has(`${atom.family}/${v}`))
        out.push({ name: `atom${i}:${v}`, addr: fromValue(atom.family, v), endpoint: a.classCount + i });
  });
  return out;
}

export function compareWithModel(a: Analysis, batch: string, root: string, limit = 20): string[] {
  const sim = new Sim(parseBatch(batch), root);
  const probes = probesOf(a);
  const K = a.classCount;
  const bad: string[] = [];
  const ownIdentity = new Map<Probe, number>(probes.map((p) => [p, sim.ipcache(p.addr)?.identity ?? 0]));
  for (const s of probes)
    for (const d of probes) {
      if (s.endpoint >= K && d.endpoint >= K) continue;
      if (s.addr.family !== d.addr.family) continue;
      const conn = a.conn(s.endpoint, d.endpoint);
      const se = sim.endpoint(s.addr);
      const de = sim.endpoint(d.addr);
      for (const protocol of PROTOCOLS) {
        const blocks: [number, number][] = [];
        const iv = conn[protocol];
        for (let i = 0; i < iv.length; i += 2) blocks.push([iv[i]!, iv[i + 1]!]);
        const add = (policy: number, peer: number, egress: boolean) => {
          const entries = sim.policyMap(policy) ?? [];
          blocks.push(
            ...portBlocks(entries, peer, egress, protocol),
            ...portBlocks(entries, 0, egress, protocol),
          );
        };
        if (se) add(se.policy, ownIdentity.get(d)!, true);
        if (de) add(de.policy, ownIdentity.get(s)!, false);
        const ports = new Set<number>([1, 65535]);
        for (const [lo, hi] of blocks)
          for (const p of [lo - 1, lo, hi, hi + 1]) if (p >= 1 && p <= 65535) ports.add(p);
        for (const port of ports) {
          const want = connContains(conn, protocol, port);
          const got = sim.policy(s.addr, d.addr, protocol, port);
          if (want !== got && bad.length < limit)
            bad.push(
              `${s.name} -> ${d.name} ${protocol}/${port}: model ${want ? "allows" : "denies"}, maps ${got ? "allow" : "deny"}`,
            );
        }
      }
    }
  return bad;
}
