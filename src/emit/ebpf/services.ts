/**
 * The Service maps: frontends (address, port, protocol) → a slice of backend slots, and the slots →
 * endpoint (address, target port). Named targetPorts are resolved per endpoint pod by the model
 * (`serviceEndpoints`), so one Service port may translate to different ports on different pods.
 *
 * | frontend                                  | address                | backends                          |
 * |-------------------------------------------|------------------------|-----------------------------------|
 * | each ClusterIP × port                     | the ClusterIP          | endpoints of the ClusterIP's family |
 * | each externalIP and LoadBalancer IP × port | that address           | endpoints of its family           |
 * | each nodePort, per family                 | zero (any node address) | endpoints of that family          |
 *
 * `internalTrafficPolicy: Local` (ClusterIPs) and `externalTrafficPolicy: Local` (the others) keep the
 * endpoints on the emitting node only (all of them when every pod is local). Headless and
 * ExternalName Services have no frontend. Session affinity is not modelled (the flow hash picks).
 */
import type { Analysis, IpAddress, IpFamily, Protocol, Service } from "../../model/index.js";
import { formatIp, serviceEndpoints } from "../../model/index.js";
import { PROTOCOL_NUMBER } from "./layout.js";

export interface ServiceEntry {
  readonly family: IpFamily;
  /** 0n for a NodePort. */
  readonly value: bigint;
  readonly port: number;
  readonly protocol: Protocol;
  readonly kind: "ClusterIP" | "External" | "NodePort";
  /** `namespace/name:port` (the port's name, or its number). */
  readonly service: string;
  readonly base: number;
  readonly count: number;
}

export interface BackendEntry {
  readonly slot: number;
  readonly family: IpFamily;
  readonly value: bigint;
  readonly port: number;
  readonly pod: string;
}

export interface ServiceMaps {
  readonly services: ServiceEntry[];
  readonly backends: BackendEntry[];
}

interface Target {
  readonly ip: IpAddress;
  readonly port: number;
  readonly pod: string;
  readonly local: boolean;
}

export function buildServices(a: Analysis, node: string | undefined, notes: string[]): ServiceMaps {
  const services: ServiceEntry[] = [];
  const backends: BackendEntry[] = [];
  const slices = new Map<string, { base: number; count: number }>();
  const frontends = new Map<string, string>();
  const cluster = a.cluster;
  const sorted = [...cluster.services].sort((x, y) =>
    x.namespace === y.namespace ? (x.name < y.name ? -1 : 1) : x.namespace < y.namespace ? -1 : 1,
  );
  // A backend list is stored once, however many frontends use it.
  const slice = (targets: readonly Target[]) => {
    const key = targets.map((t) => `${t.ip.family}/${t.ip.value}/${t.port}`).join(",");
    let s = slices.get(key);
    if (!s) {
      s = { base: backends.length, count: targets.length };
      for (const t of targets)
        backends.push({
          slot: backends.length,
          family: t.ip.family,
          value: t.ip.value,
          port: t.port,
          pod: t.pod,
        });
      slices.set(key, s);
    }
    return s;
  };
  for (const svc of sorted) {
    if (svc.type === "ExternalName" || svc.headless) continue;
    serviceEndpoints(cluster, svc).forEach((pe, i) => {
      const sp = pe.servicePort;
      const label = `${svc.namespace}/${svc.name}:${sp.name || sp.port}`;
      const targets: Target[] = [];
      for (const t of pe.targets) {
        if (!t.ip) continue;
        const pod = t.pod === undefined ? undefined : cluster.pods[t.pod];
        targets.push({
          ip: t.ip,
          port: t.port,
          pod: pod ? `${pod.namespace}/${pod.name}` : formatIp(t.ip.family, t.ip.value),
          local: node === undefined || pod?.nodeName === node,
        });
      }
      targets.sort(
        (x, y) =>
          x.ip.family - y.ip.family ||
          (x.ip.value < y.ip.value ? -1 : x.ip.value > y.ip.value ? 1 : x.port - y.port),
      );
      const add = (
        kind: ServiceEntry["kind"],
        family: IpFamily,
        value: bigint,
        port: number,
        local: boolean,
      ) => {
        const key = `${family}/${value}/${port}/${sp.protocol}`;
        const taken = frontends.get(key);
        if (taken !== undefined) {
          notes.push(
            `frontend ${frontendText(family, value, port, sp.protocol)} of ${label} is already ${taken}'s: skipped`,
          );
          return;
        }
        frontends.set(key, label);
        const s = slice(targets.filter((t) => t.ip.family === family && (!local || t.local)));
        services.push({ family, value, port, protocol: sp.protocol, kind, service: label, ...s });
      };
      const internalLocal = svc.internalTrafficPolicy === "Local";
      const externalLocal = svc.externalTrafficPolicy === "Local";
      for (const ip of svc.clusterIPs) add("ClusterIP", ip.family, ip.value, sp.port, internalLocal);
      for (const ip of externalAddresses(svc)) add("External", ip.family, ip.value, sp.port, externalLocal);
      if (sp.nodePort !== undefined)
        for (const family of serviceFamilies(svc, targets))
          add("NodePort", family, 0n, sp.nodePort, externalLocal);
      if (
        i === 0 &&
        svc.clusterIPs.length === 0 &&
        sp.nodePort === undefined &&
        externalAddresses(svc).length === 0
      )
        notes.push(`Service ${svc.namespace}/${svc.name} has no ClusterIP in the manifests: no frontend`);
    });
  }
  return { services, backends };
}

function externalAddresses(svc: Service): IpAddress[] {
  return [...svc.externalIPs, ...(svc.type === "LoadBalancer" ? svc.loadBalancerIPs : [])];
}

function serviceFamilies(svc: Service, targets: readonly Target[]): IpFamily[] {
  const fams = new Set<IpFamily>(svc.ipFamilies.map((f) => (f === "IPv4" ? 4 : 6)));
  for (const ip of svc.clusterIPs) fams.add(ip.family);
  if (fams.size === 0) for (const t of targets) fams.add(t.ip.family);
  return [...fams].sort();
}

export function frontendText(family: IpFamily, value: bigint, port: number, protocol: Protocol): string {
  const addr = value === 0n ? "*" : formatIp(family, value);
  return `${family === 6 && value !== 0n ? `[${addr}]` : addr}:${port}/${protocol}`;
}

export const protocolNumber = (p: Protocol): number => PROTOCOL_NUMBER[p];
