/**
 * Service endpoints and Service reachability.
 *
 * A client connects to a Service address and port; kube-proxy (or the CNI) translates that to an
 * endpoint pod's IP and target port, and NetworkPolicy is enforced on the translated packet. So a
 * source reaches `S:port` on exactly the endpoints whose (pod, targetPort) the policies allow.
 *
 * Endpoints of a Service with a selector: the pods of its namespace whose labels match and that are
 * ready (not-ready pods are no endpoints unless `publishNotReadyAddresses`; they are listed as
 * problems). A named targetPort resolves per pod to its container port of that name and protocol;
 * a pod without it is no endpoint for that port (a problem, warned per pod). Without a selector,
 * endpoints come from EndpointSlices / Endpoints: addresses that are pod IPs are those pods, others
 * are external addresses; their port is the slice port whose name equals the Service port's name.
 */
import type { IpAddress } from "./addresses.js";
import type { Analysis } from "./engine.js";
import { connContains } from "./ports.js";
import { matches } from "./selectors.js";
import type { Cluster, LabelSelector, Labels, Protocol, Service, ServicePort } from "./types.js";

export interface EndpointTarget {
  /** Index into Cluster.pods, when the endpoint is a modelled pod. */
  readonly pod?: number | undefined;
  /** The endpoint address, when known (pods synthesised from templates have none). */
  readonly ip?: IpAddress | undefined;
  readonly port: number;
  readonly protocol: Protocol;
  readonly ready: boolean;
}

export interface PortEndpoints {
  readonly servicePort: ServicePort;
  readonly targets: readonly EndpointTarget[];
  /** Pods selected but not endpoints of this port, and why. */
  readonly problems: readonly { readonly pod: number; readonly message: string }[];
}

/**
 * Derived indexes of an (immutable) cluster, computed once per cluster value: pods by namespace,
 * and each Service's endpoints. Weakly held, so they live as long as the cluster does.
 */
interface LabelGroup {
  readonly labels: Labels;
  readonly pods: number[];
}
/** Per namespace, pods grouped by their label object (replicas of a template share one). */
const podsByNamespace = new WeakMap<Cluster, Map<string, Map<Labels, LabelGroup>>>();
const endpointsCache = new WeakMap<Cluster, WeakMap<Service, PortEndpoints[]>>();

/** The pods of a namespace whose labels match a selector, testing each distinct label object once. */
function selectPods(cluster: Cluster, namespace: string, selector: LabelSelector): number[] {
  let index = podsByNamespace.get(cluster);
  if (!index) {
    const built = new Map<string, Map<Labels, LabelGroup>>();
    cluster.pods.forEach((p, i) => {
      let groups = built.get(p.namespace);
      if (!groups) built.set(p.namespace, (groups = new Map()));
      const g = groups.get(p.labels);
      if (g) g.pods.push(i);
      else groups.set(p.labels, { labels: p.labels, pods: [i] });
    });
    podsByNamespace.set(cluster, built);
    index = built;
  }
  const out: number[] = [];
  for (const g of index.get(namespace)?.values() ?? []) if (matches(selector, g.labels)) out.push(...g.pods);
  return out.sort((a, b) => a - b);
}

export function serviceEndpoints(cluster: Cluster, service: Service): PortEndpoints[] {
  let byService = endpointsCache.get(cluster);
  if (!byService) {
    byService = new WeakMap();
    endpointsCache.set(cluster, byService);
  }
  let result = byService.get(service);
  if (!result) {
    result = computeEndpoints(cluster, service);
    byService.set(service, result);
  }
  return result;
}

function computeEndpoints(cluster: Cluster, service: Service): PortEndpoints[] {
  if (service.type === "ExternalName")
    return service.ports.map((servicePort) => ({ servicePort, targets: [], problems: [] }));
  if (service.selector) {
    const selector = { matchLabels: service.selector };
    const pods = selectPods(cluster, service.namespace, selector).map((i) => ({ p: cluster.pods[i]!, i }));
    return service.ports.map((sp) => {
      const targets: EndpointTarget[] = [];
      const problems: { pod: number; message: string }[] = [];
      for (const { p, i } of pods) {
        if (!p.ready && !service.publishNotReadyAddresses) {
          problems.push({ pod: i, message: `pod ${p.namespace}/${p.name} is not ready: not an endpoint` });
          continue;
        }
        const port =
          typeof sp.targetPort === "number"
            ? sp.targetPort
            : p.ports.find((c) => c.name === sp.targetPort && c.protocol === sp.protocol)?.port;
        if (port === undefined) {
          problems.push({
            pod: i,
            message: `pod ${p.namespace}/${p.name} has no ${sp.protocol} container port named "${sp.targetPort}": not an endpoint of port ${sp.port}`,
          });
          continue;
        }
        const ips = p.ips.length > 0 ? p.ips : [undefined];
        for (const ip of ips) targets.push({ pod: i, ip, port, protocol: sp.protocol, ready: p.ready });
      }
      return { servicePort: sp, targets, problems };
    });
  }
  // Selector-less: explicit endpoints.
  const explicit = cluster.endpoints.filter(
    (e) => e.namespace === service.namespace && e.service === service.name,
  );
  const podByIp = new Map<string, number>();
  cluster.pods.forEach((p, i) => {
    for (const ip of p.ips) podByIp.set(`${ip.family}:${ip.value}`, i);
  });
  return service.ports.map((sp) => {
    const targets: EndpointTarget[] = [];
    for (const e of explicit) {
      const port = e.ports.find((p) => (p.name ?? "") === (sp.name ?? "") && p.protocol === sp.protocol);
      if (!port) continue;
      for (const a of e.addresses) {
        if (!a.ready && !service.publishNotReadyAddresses) continue;
        targets.push({
          pod: podByIp.get(`${a.ip.family}:${a.ip.value}`),
          ip: a.ip,
          port: port.port,
          protocol: sp.protocol,
          ready: a.ready,
        });
      }
    }
    return { servicePort: sp, targets, problems: [] };
  });
}

/** The endpoint id (class or atom) of an endpoint target in an analysis. */
export function targetEndpoint(a: Analysis, t: EndpointTarget): number {
  if (t.pod !== undefined) return a.index.classOfPod[t.pod]!;
  return a.classCount + a.space.atomOf(t.ip!);
}

export interface EndpointVerdict {
  readonly target: EndpointTarget;
  readonly endpoint: number;
  readonly allowed: boolean;
}

export interface ServiceReach {
  readonly service: Service;
  readonly servicePort: ServicePort;
  readonly endpoints: readonly EndpointVerdict[];
  readonly problems: PortEndpoints["problems"];
}

/**
 * Whether `src` (endpoint ids; `srcPod` when it is one pod) reaches `service` on (port, protocol),
 * endpoint by endpoint. A pod reaching itself through its own Service (hairpin) is always allowed.
 * `family`: the client dialled a ClusterIP of that family.
 */
export function reachService(
  a: Analysis,
  src: number | readonly number[],
  service: Service,
  port: number,
  protocol: Protocol,
  srcPod?: number,
  family?: 4 | 6,
): ServiceReach | undefined {
  const pe = serviceEndpoints(a.cluster, service).find(
    (e) => e.servicePort.port === port && e.servicePort.protocol === protocol,
  );
  if (!pe) return undefined;
  // A source standing for several pods (a workload) reaches an endpoint when one of its pods does.
  const srcs = typeof src === "number" ? [src] : src;
  // Through one family's ClusterIP, kube-proxy translates to endpoints of that family only.
  const targets =
    family === undefined ? pe.targets : pe.targets.filter((t) => !t.ip || t.ip.family === family);
  const endpoints = targets.map((target) => {
    const endpoint = targetEndpoint(a, target);
    const self = srcPod !== undefined && target.pod === srcPod;
    return {
      target,
      endpoint,
      allowed: self || srcs.some((s) => connContains(a.conn(s, endpoint), protocol, target.port)),
    };
  });
  return { service, servicePort: pe.servicePort, endpoints, problems: pe.problems };
}
