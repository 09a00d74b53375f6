/**
 * The Service plan: what kube-proxy would translate on a node, per Service port and IP family.
 *
 * | Service                        | translation                                                  |
 * |--------------------------------|--------------------------------------------------------------|
 * | ClusterIP / NodePort / LB      | clusterIPs, externalIPs and LB ingress IPs : port → endpoint  |
 * | NodePort / LB with nodePort    | any local address (not 127/8) : nodePort → endpoint           |
 * | headless, ExternalName         | none (clients use the pods' IPs, or DNS)                      |
 * | no (ready) endpoints           | rejected (ICMP port unreachable), as kube-proxy does           |
 * | internalTrafficPolicy: Local   | cluster traffic only to endpoints on this node, else rejected |
 * | externalTrafficPolicy: Local   | external traffic only to endpoints on this node, else dropped;|
 * |                                | Cluster: external traffic is masqueraded                     |
 * | sessionAffinity: ClientIP      | one endpoint per client address for 10800 s                  |
 * Through an address of one family only endpoints of that family are chosen. Endpoints are the
 * model's (services.ts): ready selected pods with named targetPorts resolved per pod, or the
 * addresses of a selector-less Service's EndpointSlices.
 */
import {
  type Analysis,
  type IpAddress,
  type IpFamily,
  type Protocol,
  type Service,
  type ServicePort,
  serviceEndpoints,
} from "../model/index.js";
import { ipText } from "./address-set.js";
import { isLocal } from "./placement.js";

export interface EndpointPlan {
  readonly ip: IpAddress;
  readonly port: number;
  /** `ip:port`, `[ip]:port` for IPv6: kube-proxy's endpoint string. */
  readonly text: string;
  readonly local: boolean;
}

export interface ServicePortPlan {
  readonly service: Service;
  readonly port: ServicePort;
  readonly family: IpFamily;
  /**
   * kube-proxy's ServicePortName.String(): `namespace/name:portName`, the colon kept when the port
   * is unnamed (real dumps: `default/clusterip-service:` + `tcp` hashes to V7R3EVKW3DT43QQM).
   */
  readonly name: string;
  readonly protocol: Protocol;
  readonly clusterIPs: readonly IpAddress[];
  /** externalIPs and LoadBalancer ingress IPs: external destinations, like the node port. */
  readonly externalIPs: readonly IpAddress[];
  readonly nodePort?: number | undefined;
  readonly endpoints: readonly EndpointPlan[];
  /** Endpoints for cluster traffic (all, or the local ones under internalTrafficPolicy Local). */
  readonly clusterLocal: boolean;
  readonly externalLocal: boolean;
  readonly affinitySeconds?: number | undefined;
}

export interface ServicePlan {
  readonly ports: readonly ServicePortPlan[];
  readonly warnings: readonly string[];
}

/** kube-proxy's default `sessionAffinityConfig.clientIP.timeoutSeconds`. */
export const AFFINITY_SECONDS = 10800;

export function endpointText(ip: IpAddress, port: number): string {
  const addr = ipText(ip);
  return ip.family === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function planServices(a: Analysis, node: string | undefined): ServicePlan {
  const ports: ServicePortPlan[] = [];
  let unaddressed = 0;
  const services = [...a.cluster.services].sort((x, y) =>
    `${x.namespace}/${x.name}` < `${y.namespace}/${y.name}` ? -1 : 1,
  );
  for (const svc of services) {
    if (svc.type === "ExternalName" || svc.headless) continue;
    const perPort = serviceEndpoints(a.cluster, svc);
    for (const pe of perPort) {
      const sp = pe.servicePort;
      for (const family of [4, 6] as const) {
        const clusterIPs = svc.clusterIPs.filter((ip) => ip.family === family);
        const externalIPs = [...svc.externalIPs, ...svc.loadBalancerIPs].filter((ip) => ip.family === family);
        // A node port serves the families of the Service's cluster IPs.
        const nodePort = clusterIPs.length > 0 ? sp.nodePort : undefined;
        if (clusterIPs.length === 0 && externalIPs.length === 0) continue;
        const seen = new Set<string>();
        const endpoints: EndpointPlan[] = [];
        for (const t of pe.targets) {
          if (!t.ip) {
            unaddressed++;
            continue;
          }
          if (t.ip.family !== family) continue;
          const text = endpointText(t.ip, t.port);
          if (seen.has(text)) continue;
          seen.add(text);
          const pod = t.pod === undefined ? undefined : a.cluster.pods[t.pod];
          endpoints.push({
            ip: t.ip,
            port: t.port,
            text,
            local: pod ? isLocal(pod, node) : node === undefined,
          });
        }
        ports.push({
          service: svc,
          port: sp,
          family,
          name: `${svc.namespace}/${svc.name}:${sp.name ?? ""}`,
          protocol: sp.protocol,
          clusterIPs,
          externalIPs,
          nodePort,
          endpoints,
          clusterLocal: svc.internalTrafficPolicy === "Local",
          externalLocal: svc.externalTrafficPolicy === "Local",
          affinitySeconds: svc.sessionAffinity === "ClientIP" ? AFFINITY_SECONDS : undefined,
        });
      }
    }
  }
  const warnings =
    unaddressed > 0
      ? [`${unaddressed} Service endpoint(s) have no IP address: they are left out of the translation`]
      : [];
  return { ports, warnings };
}
