/**
 * Services as users name them, and `eval --to <service>`.
 * Accepted names: `svc/name`, `svc/ns/name`, `ns/svc/name`, `name.ns.svc.cluster.local` (and the
 * shorter `name.ns.svc`), a ClusterIP / external IP / load-balancer IP literal, and `IP:port` /
 * `IP:port/udp` for any of those or a node IP with a nodePort. The port and protocol given in the
 * name override `--port` / `--protocol`.
 */
import { formatPosition } from "../common/index.js";
import {
  type Analysis,
  connUnion,
  EMPTY_CONN,
  formatConn,
  formatIp,
  type IpAddress,
  type Protocol,
  parseIp,
  reachService,
  type Service,
  type ServiceReach,
} from "../model/index.js";

export interface ServiceTarget {
  readonly service: Service;
  /** The client dialled an address of this family (kube-proxy keeps the family). */
  readonly family?: 4 | 6 | undefined;
  /** Service port, when the name carries one (a nodePort is mapped to its Service port). */
  readonly port?: number | undefined;
  readonly protocol?: Protocol | undefined;
  readonly via: string;
}

const sameIp = (a: IpAddress, b: IpAddress) => a.family === b.family && a.value === b.value;

/** `addr`, `addr:port`, `[v6]:port`, each with an optional `/tcp|udp|sctp`. A bare IPv6 has no port. */
function parseAddress(text: string): { ip: IpAddress; port?: number; protocol?: Protocol } | undefined {
  const m = /^(.*?)(?:\/(tcp|udp|sctp))?$/i.exec(text)!;
  const protocol = m[2] ? (m[2].toUpperCase() as Protocol) : undefined;
  let host = m[1]!;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracket) [host, port] = [bracket[1]!, bracket[2]];
  else if ((host.match(/:/g) ?? []).length === 1) [host, port] = host.split(":") as [string, string];
  const ip = parseIp(host);
  if (!ip || (port !== undefined && !/^\d+$/.test(port))) return undefined;
  return { ip, ...(port !== undefined ? { port: Number(port) } : {}), ...(protocol ? { protocol } : {}) };
}

/** `10.0.0.1:53` or `[fd00::1]:53`. */
function hostPort(ip: IpAddress, port: number): string {
  const text = formatIp(ip.family, ip.value);
  return ip.family === 6 ? `[${text}]:${port}` : `${text}:${port}`;
}

export function resolveService(a: Analysis, text: string): ServiceTarget | undefined {
  const services = a.cluster.services;
  const t = text.trim();
  let m = /^(?:svc|service)\/(?:([^/]+)\/)?([^/]+)$/.exec(t) ?? /^([^/]+)\/(?:svc|service)\/([^/]+)$/.exec(t);
  if (m) {
    const [, ns, name] = m;
    const found = services.filter((s) => s.name === name && (!ns || s.namespace === ns));
    return found.length === 1
      ? { service: found[0]!, via: `Service ${found[0]!.namespace}/${found[0]!.name}` }
      : undefined;
  }
  m = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?\.?$/.exec(t);
  if (m && !parseIp(t)) {
    const s = services.find((x) => x.name === m![1] && x.namespace === m![2]);
    return s ? { service: s, via: `${t}` } : undefined;
  }
  // An address, with an optional :port and /protocol: 10.96.0.10:53/udp, [fd00::10]:53/udp, fd00::10.
  const addr = parseAddress(t);
  if (!addr) return undefined;
  const { ip, port, protocol } = addr;
  for (const s of services) {
    const addrs = [...s.clusterIPs, ...s.externalIPs, ...s.loadBalancerIPs];
    if (addrs.some((x) => sameIp(x, ip)))
      return { service: s, port, protocol, family: ip.family, via: `${formatIp(ip.family, ip.value)}` };
  }
  // A node address with a nodePort.
  if (port !== undefined && a.cluster.nodes.some((n) => n.addresses.some((x) => sameIp(x, ip))))
    for (const s of services) {
      const sp = s.ports.find((p) => p.nodePort === port && (!protocol || p.protocol === protocol));
      if (sp)
        return {
          service: s,
          port: sp.port,
          protocol: sp.protocol,
          via: `node ${hostPort(ip, port)} (NodePort)`,
        };
    }
  return undefined;
}

export interface ServiceEvalResult {
  readonly verdict: "allowed" | "partial" | "denied" | "no-endpoints" | "external";
  readonly reaches: readonly ServiceReach[];
  readonly text: string;
  readonly json: unknown;
}

function podName(a: Analysis, i: number | undefined): string | undefined {
  const p = i === undefined ? undefined : a.cluster.pods[i];
  return p ? `${p.namespace}/${p.name}` : undefined;
}

/** Evaluates `src` → Service on the given (or every) Service port. */
export function evalService(
  a: Analysis,
  srcIds: number | readonly number[],
  srcPod: number | undefined,
  srcName: string,
  target: ServiceTarget,
  port: number | undefined,
  protocol: Protocol | undefined,
): ServiceEvalResult {
  const src = typeof srcIds === "number" ? [srcIds] : srcIds;
  const s = target.service;
  const name = `Service ${s.namespace}/${s.name}`;
  if (s.type === "ExternalName") {
    const text = `external: ${name} is an ExternalName for ${s.externalName ?? "?"}: it has no endpoints in the cluster; the client connects to whatever that name resolves to`;
    return {
      verdict: "external",
      reaches: [],
      text,
      json: {
        src: srcName,
        service: `${s.namespace}/${s.name}`,
        externalName: s.externalName,
        verdict: "external",
      },
    };
  }
  const ports = s.ports.filter(
    (p) => (port === undefined || p.port === port) && (protocol === undefined || p.protocol === protocol),
  );
  const reaches = ports.flatMap(
    (p) => reachService(a, src, s, p.port, p.protocol, srcPod, target.family) ?? [],
  );
  const all = reaches.flatMap((r) => r.endpoints);
  const ok = all.filter((e) => e.allowed).length;
  const verdict =
    all.length === 0 ? "no-endpoints" : ok === all.length ? "allowed" : ok === 0 ? "denied" : "partial";
  const lines = [
    `${verdict}: ${srcName} => ${name} via ${target.via}` +
      (ports.length === 0 ? ` (no Service port ${port ?? ""}${protocol ? `/${protocol}` : ""})` : ""),
  ];
  for (const r of reaches) {
    const sp = r.servicePort;
    const good = r.endpoints.filter((e) => e.allowed).length;
    lines.push(
      `  port ${sp.port}/${sp.protocol}${sp.name ? ` (${sp.name})` : ""} -> targetPort ${sp.targetPort}: ${good} of ${r.endpoints.length} endpoints reachable`,
    );
    for (const e of r.endpoints) {
      const who =
        podName(a, e.target.pod) ?? (e.target.ip ? formatIp(e.target.ip.family, e.target.ip.value) : "?");
      const where = e.target.ip ? ` ${hostPort(e.target.ip, e.target.port)}` : `:${e.target.port}`;
      const allowedToIt = src.reduce((acc, s) => connUnion(acc, a.conn(s, e.endpoint)), EMPTY_CONN);
      lines.push(
        `    ${e.allowed ? "allowed" : "denied "} ${who}${where}/${e.target.protocol}${e.allowed ? "" : ` (allowed to it: ${formatConn(allowedToIt)})`}`,
      );
    }
    for (const p of r.problems) lines.push(`    not an endpoint: ${p.message}`);
  }
  const json = {
    src: srcName,
    service: `${s.namespace}/${s.name}`,
    via: target.via,
    verdict,
    ports: reaches.map((r) => ({
      port: r.servicePort.port,
      protocol: r.servicePort.protocol,
      targetPort: r.servicePort.targetPort,
      endpoints: r.endpoints.map((e) => ({
        pod: podName(a, e.target.pod),
        ip: e.target.ip ? formatIp(e.target.ip.family, e.target.ip.value) : undefined,
        port: e.target.port,
        allowed: e.allowed,
      })),
      notEndpoints: r.problems.map((p) => p.message),
    })),
    source: formatPosition(s.source),
  };
  return { verdict, reaches, text: lines.join("\n"), json };
}
