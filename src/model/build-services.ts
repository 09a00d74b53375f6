/**
 * Services, EndpointSlices / Endpoints, Ingresses and Routes → model.
 *
 * | Service field                  | model                                                        |
 * |--------------------------------|--------------------------------------------------------------|
 * | type absent                    | ClusterIP                                                    |
 * | clusterIP "None"               | headless: clients use the endpoint pods' IPs                 |
 * | clusterIPs / clusterIP         | cluster IPs (dual-stack: one per family, ipFamilies order)    |
 * | ports[].protocol absent        | TCP                                                          |
 * | ports[].targetPort absent      | the same number as `port`                                    |
 * | selector absent                | endpoints from EndpointSlices labelled                        |
 * |                                | kubernetes.io/service-name=<name>, or the Endpoints object   |
 * | ExternalName                   | a DNS name: no endpoints, reported as external               |
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import type {
  EndpointSliceObject,
  EndpointsObject,
  IngressObject,
  RouteObject,
  ServiceObject,
} from "../parser/index.js";
import { type IpAddress, type IpRange, parseCidr, parseIp } from "./addresses.js";
import { matches } from "./selectors.js";
import type { ExplicitEndpoints, IngressRoute, Pod, Service } from "./types.js";

const DEFAULT_NAMESPACE = "default";
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

function ips(list: readonly (string | undefined)[]): IpAddress[] {
  const out = new Map<string, IpAddress>();
  for (const t of list) {
    const ip = t ? parseIp(t) : undefined;
    if (ip) out.set(`${ip.family}:${ip.value}`, ip);
  }
  return [...out.values()];
}

export function serviceFromObject(o: ServiceObject, _diagnostics: Diagnostic[]): Service {
  const s = o.spec;
  const type = s.type ?? "ClusterIP";
  const headless = s.clusterIP === "None" || (s.clusterIPs ?? []).includes("None");
  return {
    namespace: o.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: o.metadata.name,
    type,
    selector: s.selector && Object.keys(s.selector).length > 0 ? s.selector : undefined,
    ports: (s.ports ?? []).map((p) => ({
      name: p.name,
      protocol: p.protocol ?? "TCP",
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      nodePort: type === "NodePort" || type === "LoadBalancer" ? p.nodePort : undefined,
    })),
    clusterIPs: headless || type === "ExternalName" ? [] : ips([...(s.clusterIPs ?? []), s.clusterIP]),
    headless,
    externalName: type === "ExternalName" ? s.externalName : undefined,
    externalIPs: ips(s.externalIPs ?? []),
    loadBalancerIPs:
      type === "LoadBalancer" ? ips((o.status?.loadBalancer?.ingress ?? []).map((i) => i.ip)) : [],
    loadBalancerSourceRanges: (s.loadBalancerSourceRanges ?? [])
      .map(parseCidr)
      .filter((r): r is IpRange => r !== undefined),
    ipFamilies: s.ipFamilies ?? [],
    sessionAffinity: s.sessionAffinity ?? "None",
    externalTrafficPolicy: s.externalTrafficPolicy ?? "Cluster",
    internalTrafficPolicy: s.internalTrafficPolicy ?? "Cluster",
    publishNotReadyAddresses: s.publishNotReadyAddresses === true,
    source: o.source,
  };
}

/** An EndpointSlice's addresses (a slice names its Service by the kubernetes.io/service-name label). */
export function endpointsFromSlice(o: EndpointSliceObject): ExplicitEndpoints | undefined {
  const service = o.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!service || o.addressType === "FQDN") return undefined;
  return {
    namespace: o.metadata.namespace ?? DEFAULT_NAMESPACE,
    service,
    addresses: (o.endpoints ?? []).flatMap((e) =>
      ips(e.addresses).map((ip) => ({ ip, ready: e.conditions?.ready !== false, nodeName: e.nodeName })),
    ),
    ports: (o.ports ?? []).flatMap((p) =>
      p.port === undefined ? [] : [{ name: p.name, protocol: p.protocol ?? "TCP", port: p.port }],
    ),
    source: o.source,
  };
}

/** The legacy Endpoints object (same name as its Service): one entry per subset. */
export function endpointsFromObject(o: EndpointsObject): ExplicitEndpoints[] {
  return (o.subsets ?? []).map((s) => ({
    namespace: o.metadata.namespace ?? DEFAULT_NAMESPACE,
    service: o.metadata.name,
    addresses: [
      ...ips((s.addresses ?? []).map((a) => a.ip)).map((ip) => ({ ip, ready: true })),
      ...ips((s.notReadyAddresses ?? []).map((a) => a.ip)).map((ip) => ({ ip, ready: false })),
    ],
    ports: (s.ports ?? []).map((p) => ({ name: p.name, protocol: p.protocol ?? "TCP", port: p.port })),
    source: o.source,
  }));
}

export function ingressFromObject(o: IngressObject | RouteObject): IngressRoute {
  const namespace = o.metadata.namespace ?? DEFAULT_NAMESPACE;
  if (o.kind === "Route") {
    const port = o.spec.port?.targetPort;
    const targets = [o.spec.to, ...(o.spec.alternateBackends ?? [])].filter(
      (t) => (t.kind ?? "Service") === "Service",
    );
    return {
      kind: "Route",
      namespace,
      name: o.metadata.name,
      backends: targets.map((t) => ({ service: t.name, port })),
      source: o.source,
    };
  }
  const backends: IngressRoute["backends"][number][] = [];
  const add = (b: IngressObject["spec"]["defaultBackend"]) => {
    if (b?.service)
      backends.push({ service: b.service.name, port: b.service.port?.number ?? b.service.port?.name });
  };
  add(o.spec.defaultBackend);
  for (const r of o.spec.rules ?? []) for (const p of r.http?.paths ?? []) add(p.backend);
  return { kind: "Ingress", namespace, name: o.metadata.name, backends, source: o.source };
}

/**
 * A named targetPort resolves per selected pod: warn for each pod that lacks it (that pod is no
 * endpoint of that port), and when no selected pod has it at all (the port has no endpoints).
 */
const byNamespace = new WeakMap<readonly Pod[], Map<string, Pod[]>>();

/** The pods of each namespace (computed once per pod list: Services are checked one by one). */
function podsByNamespace(pods: readonly Pod[]): Map<string, Pod[]> {
  let m = byNamespace.get(pods);
  if (!m) {
    m = new Map();
    for (const p of pods) {
      let list = m.get(p.namespace);
      if (!list) {
        list = [];
        m.set(p.namespace, list);
      }
      list.push(p);
    }
    byNamespace.set(pods, m);
  }
  return m;
}

export function checkTargetPorts(o: ServiceObject, svc: Service, pods: readonly Pod[]): Diagnostic[] {
  if (!svc.selector) return [];
  const selector = { matchLabels: svc.selector };
  const selected =
    podsByNamespace(pods)
      .get(svc.namespace)
      ?.filter((p) => matches(selector, p.labels)) ?? [];
  const out: Diagnostic[] = [];
  const object = { kind: "Service", namespace: svc.namespace, name: svc.name };
  svc.ports.forEach((sp, i) => {
    if (typeof sp.targetPort === "number") return;
    const source = o.locate(["spec", "ports", i, "targetPort"]);
    const missing = selected.filter(
      (p) => !p.ports.some((c) => c.name === sp.targetPort && c.protocol === sp.protocol),
    );
    if (selected.length > 0 && missing.length === selected.length)
      out.push(
        diagnostic(
          "NP3008",
          "warning",
          `Service ${svc.namespace}/${svc.name} port ${sp.port}: no selected pod has a ${sp.protocol} container port named "${sp.targetPort}", so the port has no endpoints`,
          {
            source,
            object,
            hint: "name the container port in the pod template, or use a number",
          },
        ),
      );
    else {
      // Replicas of one template are reported once, as their workload.
      const seen = new Set<string>();
      for (const p of missing) {
        const who = p.fromTemplate
          ? `${p.workload.kind} ${p.namespace}/${p.workload.name}`
          : `pod ${p.namespace}/${p.name}`;
        if (seen.has(who)) continue;
        seen.add(who);
        out.push(
          diagnostic(
            "NP3007",
            "warning",
            `Service ${svc.namespace}/${svc.name} port ${sp.port}: ${who} has no ${sp.protocol} container port named "${sp.targetPort}", so it is not an endpoint of this port`,
            {
              source,
              object,
            },
          ),
        );
      }
    }
  });
  return out;
}
