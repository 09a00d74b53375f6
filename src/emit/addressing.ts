/**
 * Addresses for what the manifests leave unaddressed. A dataplane matches pods by IP, but pods
 * created from workload templates have none in the manifests, nor have Services whose clusterIP
 * the API server would allocate. `assignAddresses` gives them deterministic addresses *before*
 * analysis (so the model's address atoms and the emitted rules agree), never reusing an address
 * the input already holds:
 *
 * | what                                  | assigned from (defaults)                       |
 * |---------------------------------------|------------------------------------------------|
 * | pod without IPs (not hostNetwork)     | 10.200.0.0/16, and fd00:200::/64 when dual     |
 * | ClusterIP/NodePort/LoadBalancer       | 10.96.0.0/16, and fd00:96::/108 when dual      |
 * |   Service without clusterIPs          |                                                |
 * | NodePort/LoadBalancer port without    | 30000–32767                                    |
 * |   nodePort                            |                                                |
 * Order is the input order, so the same input always gets the same addresses.
 */
import {
  type Cluster,
  formatIp,
  type IpAddress,
  type IpRange,
  type Pod,
  parseCidr,
  type Service,
} from "../model/index.js";

export interface AddressingOptions {
  readonly podCidr: string;
  readonly podCidr6?: string | undefined;
  readonly serviceCidr: string;
  readonly serviceCidr6?: string | undefined;
}

export const DEFAULT_ADDRESSING: AddressingOptions = Object.freeze({
  podCidr: "10.200.0.0/16",
  serviceCidr: "10.96.0.0/16",
});

export const DUAL_STACK_ADDRESSING: AddressingOptions = Object.freeze({
  podCidr: "10.200.0.0/16",
  podCidr6: "fd00:200::/64",
  serviceCidr: "10.96.0.0/16",
  serviceCidr6: "fd00:96::/108",
});

export interface Assigned {
  readonly cluster: Cluster;
  /** How many pods, Services and node ports were given addresses. */
  readonly pods: number;
  readonly services: number;
  readonly nodePorts: number;
}

class Allocator {
  private next: bigint;
  constructor(
    private readonly range: IpRange,
    private readonly used: Set<string>,
  ) {
    this.next = range.lo + 1n;
  }
  take(): IpAddress {
    while (this.next < this.range.hi) {
      const ip = { family: this.range.family, value: this.next++ };
      const key = `${ip.family}:${ip.value}`;
      if (!this.used.has(key)) {
        this.used.add(key);
        return ip;
      }
    }
    throw new Error(`address range ${formatIp(this.range.family, this.range.lo)} is exhausted`);
  }
}

function cidr(text: string): IpRange {
  const r = parseCidr(text);
  if (!r) throw new Error(`invalid CIDR ${text}`);
  return r;
}

export function assignAddresses(cluster: Cluster, options: AddressingOptions = DEFAULT_ADDRESSING): Assigned {
  // 1. Every address the input holds is taken.
  const used = new Set<string>();
  const mark = (ip: IpAddress) => used.add(`${ip.family}:${ip.value}`);
  for (const p of cluster.pods) p.ips.forEach(mark);
  for (const s of cluster.services) [...s.clusterIPs, ...s.externalIPs, ...s.loadBalancerIPs].forEach(mark);
  for (const n of cluster.nodes) n.addresses.forEach(mark);
  for (const e of cluster.endpoints) for (const a of e.addresses) mark(a.ip);
  const alloc = (text: string | undefined) => (text ? new Allocator(cidr(text), used) : undefined);
  const pod4 = alloc(options.podCidr)!;
  const pod6 = alloc(options.podCidr6);
  const svc4 = alloc(options.serviceCidr)!;
  const svc6 = alloc(options.serviceCidr6);

  // 2. Pods.
  let pods = 0;
  const newPods = cluster.pods.map((p): Pod => {
    if (p.ips.length > 0 || p.hostNetwork) return p;
    pods++;
    return { ...p, ips: pod6 ? [pod4.take(), pod6.take()] : [pod4.take()] };
  });

  // 3. Services and node ports.
  const usedPorts = new Set(
    cluster.services.flatMap((s) => s.ports.map((p) => `${p.protocol}/${p.nodePort}`)),
  );
  let nextPort = 30000;
  const takePort = (protocol: string): number => {
    while (usedPorts.has(`${protocol}/${nextPort}`)) nextPort++;
    if (nextPort > 32767) throw new Error("the NodePort range 30000-32767 is exhausted");
    usedPorts.add(`${protocol}/${nextPort}`);
    return nextPort;
  };
  let services = 0;
  let nodePorts = 0;
  const newServices = cluster.services.map((s): Service => {
    let out = s;
    if (s.type !== "ExternalName" && !s.headless && s.clusterIPs.length === 0) {
      services++;
      const wants6 = s.ipFamilies.includes("IPv6");
      const wants4 = s.ipFamilies.length === 0 || s.ipFamilies.includes("IPv4");
      const ips: IpAddress[] = [];
      for (const f of s.ipFamilies.length > 0 ? s.ipFamilies : ["IPv4" as const]) {
        if (f === "IPv4" && wants4) ips.push(svc4.take());
        if (f === "IPv6" && wants6 && svc6) ips.push(svc6.take());
      }
      out = { ...out, clusterIPs: ips };
    }
    if (
      (s.type === "NodePort" || s.type === "LoadBalancer") &&
      s.ports.some((p) => p.nodePort === undefined)
    ) {
      out = {
        ...out,
        ports: s.ports.map((p) => {
          if (p.nodePort !== undefined) return p;
          nodePorts++;
          return { ...p, nodePort: takePort(p.protocol) };
        }),
      };
    }
    return out;
  });
  return { cluster: { ...cluster, pods: newPods, services: newServices }, pods, services, nodePorts };
}
