/**
 * The Service frontends the model expects on one node, and their endpoints (kube-proxy's reading of
 * the Service API, which the emitters follow):
 *
 * | frontend                         | address                      | endpoints                         |
 * |----------------------------------|------------------------------|-----------------------------------|
 * | each clusterIP × port            | the clusterIP                | of that family; internalTrafficPolicy Local: this node's only |
 * | each externalIP × port; LoadBalancer ingress IPs × port | the address | of that family; externalTrafficPolicy Local: this node's only |
 * | each nodePort (NodePort, LoadBalancer), per family of the Service (ipFamilies, clusterIPs) | a local address, not loopback, when no address frontend matches | as external |
 * Endpoints are the model's (`serviceEndpoints`: ready selected pods, named targetPorts resolved per
 * pod, or a selector-less Service's EndpointSlice addresses) with an address; a pod endpoint is this
 * node's when the pod runs here, an address endpoint only when every pod is local. Headless and
 * ExternalName Services have none. Two Services claiming one frontend: the first by namespace/name.
 */
import { type Analysis, type IpFamily, type Protocol, serviceEndpoints } from "../../model/index.js";
import { isLocal } from "./expected.js";

export interface Target {
  readonly ip: bigint;
  readonly port: number;
}

export interface Frontend {
  readonly family: IpFamily;
  readonly kind: "ClusterIP" | "External" | "NodePort";
  /** undefined for a NodePort. */
  readonly ip: bigint | undefined;
  readonly protocol: Protocol;
  readonly port: number;
  /** `namespace/name:port`. */
  readonly service: string;
  readonly targets: readonly Target[];
}

export function frontends(a: Analysis, node: string | undefined, family: IpFamily): Frontend[] {
  const out: Frontend[] = [];
  const taken = new Set<string>();
  const services = [...a.cluster.services].sort((x, y) => {
    const kx = `${x.namespace}/${x.name}`;
    const ky = `${y.namespace}/${y.name}`;
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  });
  for (const svc of services) {
    if (svc.type === "ExternalName" || svc.headless) continue;
    const families = new Set<IpFamily>([
      ...svc.ipFamilies.map((f) => (f === "IPv4" ? 4 : 6) as IpFamily),
      ...svc.clusterIPs.map((ip) => ip.family),
    ]);
    for (const pe of serviceEndpoints(a.cluster, svc)) {
      const sp = pe.servicePort;
      const all: (Target & { local: boolean })[] = [];
      const seen = new Set<string>();
      for (const t of pe.targets) {
        if (!t.ip || t.ip.family !== family) continue;
        const k = `${t.ip.value}/${t.port}`;
        if (seen.has(k)) continue;
        seen.add(k);
        all.push({
          ip: t.ip.value,
          port: t.port,
          local: t.pod !== undefined ? isLocal(a, t.pod, node) : node === undefined,
        });
      }
      const local = all.filter((t) => t.local);
      const strip = (l: typeof all): Target[] => l.map(({ ip, port }) => ({ ip, port }));
      const cluster = strip(svc.internalTrafficPolicy === "Local" ? local : all);
      const external = strip(svc.externalTrafficPolicy === "Local" ? local : all);
      const name = `${svc.namespace}/${svc.name}:${sp.name || sp.port}`;
      const add = (kind: Frontend["kind"], ip: bigint | undefined, port: number, targets: Target[]) => {
        const key = `${kind === "NodePort" ? "node" : ip}/${port}/${sp.protocol}`;
        if (taken.has(key)) return;
        taken.add(key);
        out.push({ family, kind, ip, protocol: sp.protocol, port, service: name, targets });
      };
      for (const ip of svc.clusterIPs) if (ip.family === family) add("ClusterIP", ip.value, sp.port, cluster);
      for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs])
        if (ip.family === family) add("External", ip.value, sp.port, external);
      if (sp.nodePort !== undefined && families.has(family))
        add("NodePort", undefined, sp.nodePort, external);
    }
  }
  return out;
}
