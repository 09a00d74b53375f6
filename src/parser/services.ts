/**
 * Service (core/v1) value checks, following ValidateService and ValidateServiceClusterIPsRelatedFields
 * in k8s.io/kubernetes/pkg/apis/core/validation, read after the API server's defaulting: type
 * ClusterIP, protocol TCP, targetPort 0 or "" = port (normalize.ts), and clusterIP / clusterIPs as
 * one list (either fills the other; when both are written, clusterIPs[0] must equal clusterIP).
 * Structure, types and the enums (type, ipFamilies, ipFamilyPolicy, sessionAffinity, traffic
 * policies) are checked by the schema (schemas/service.json).
 *
 * | field                             | rejected by the API server                                   | code   | costs (loss.ts)  |
 * |-----------------------------------|--------------------------------------------------------------|--------|------------------|
 * | metadata.name                     | not a DNS-1035 label                                         | NP2013 | nothing          |
 * | spec.ports                        | none, unless headless or ExternalName                        | NP2002 | nothing: no port |
 * | ports[i].port                     | outside 1..65535                                             | NP2009 | that port entry  |
 * | ports[i].targetPort               | number outside 1..65535; name not an IANA_SVC_NAME           | NP2009 | that port entry  |
 * | ports[i].protocol                 | not TCP, UDP or SCTP                                         | NP2011 | that port entry  |
 * | ports[i].name                     | not a DNS-1123 label; the same as an earlier port's          | NP2009 | that port entry  |
 * | ports[i].name                     | missing while there is more than one port                    | NP2009 | nothing          |
 * | ports[i]                          | the same (port, protocol) as an earlier entry                | NP2009 | that port entry  |
 * | ports[i].nodePort                 | outside 1..65535; the same (nodePort, protocol) as earlier   | NP2009 | that port entry  |
 * | ports[i].nodePort                 | set on a ClusterIP Service                                   | NP2004 | nothing          |
 * | clusterIP, clusterIPs[i]          | not an IP; "None" anywhere but alone                         | NP2007 | object           |
 * | clusterIPs                        | [0] ≠ clusterIP; > 2 IPs; two of one family; ≠ ipFamilies[i] | NP2018 | object           |
 * | clusterIP "None"                  | on a NodePort or LoadBalancer Service                        | NP2004 | object           |
 * | externalName (ExternalName)       | missing / not a DNS-1123 subdomain                           | NP2002 / NP2004 | object  |
 * | clusterIP(s), ipFamilies, ipFamilyPolicy | set on an ExternalName Service                        | NP2004 | nothing          |
 * | selector                          | invalid label key or value                                   | NP2006 | object           |
 * | externalIPs[i]                    | not an IP; unspecified, loopback or link-local               | NP2007 | that address     |
 * | loadBalancerSourceRanges[i]       | not a CIDR                                                   | NP2007 | object           |
 * | loadBalancerSourceRanges          | on a Service that is not LoadBalancer                        | NP2004 | nothing          |
 * | externalTrafficPolicy             | on a Service not reachable from outside (ClusterIP without externalIPs, ExternalName) | NP2004 | nothing |
 * | status.loadBalancer.ingress[i].ip | not an IP                                                    | NP2007 | that entry       |
 *
 * "Nothing" where the model ignores the field (nodePorts of ClusterIP Services, source ranges and the
 * external traffic policy of internal Services, addresses of ExternalName Services) or where the
 * field only identifies (a port's name). A bad port entry means nothing, but the other ports do;
 * the cluster IPs are the Service's identity, and source ranges restrict who reaches it: a partial
 * list would mean something else. Warned, not rejected: a selector on an ExternalName Service
 * (NP2022: the name is resolved by DNS; the selector selects no endpoints).
 */
import { endpointIpAt, ipAt } from "./addresses.js";
import type { ParsedIp } from "./cidr.js";
import { checkLabels } from "./labels.js";
import { dns1123Label, dns1123Subdomain, ianaSvcName } from "./names.js";
import { checkProtocol, cidrAt, portNumberProblem } from "./netpol.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

type Path = readonly PathSegment[];
const SPEC = ["spec"] as const;

export function checkService(r: Report, body: Record<string, unknown>): void {
  // A Service without spec has no ports, so the API server rejects it (schema: spec required).
  if (!isPlainObject(body.spec)) return;
  const spec = body.spec;
  const type = typeof spec.type === "string" ? spec.type : "ClusterIP";
  // 1. Addresses: cluster IPs (or ExternalName's DNS name), external IPs, load balancer addresses.
  const headless = type === "ExternalName" ? false : checkClusterIPs(r, spec, type);
  if (type === "ExternalName") checkExternalName(r, spec);
  if (Array.isArray(spec.externalIPs))
    spec.externalIPs.forEach((ip: unknown, i) => {
      if (typeof ip === "string") endpointIpAt(r, ip, [...SPEC, "externalIPs", i], "external IP");
    });
  checkLoadBalancer(r, body, spec, type);
  // 2. Ports.
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && !headless && type !== "ExternalName")
    r.error(
      "NP2002",
      [...SPEC, "ports"],
      "a Service needs at least one port (unless it is headless or ExternalName)",
      "netpolc reads it as a Service without ports",
      "none",
    );
  checkPorts(r, ports, type);
  // 3. Selector and traffic policy.
  checkLabels(r, spec.selector, [...SPEC, "selector"]);
  if (type === "ExternalName" && isPlainObject(spec.selector) && Object.keys(spec.selector).length > 0)
    r.warn(
      "NP2022",
      [...SPEC, "selector"],
      "an ExternalName Service has no endpoints: its selector selects nothing",
      "clients resolve the externalName by DNS; remove the selector",
    );
  const external =
    type === "NodePort" ||
    type === "LoadBalancer" ||
    (type === "ClusterIP" && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (spec.externalTrafficPolicy !== undefined && !external)
    r.error(
      "NP2004",
      [...SPEC, "externalTrafficPolicy"],
      `externalTrafficPolicy may only be set for externally-accessible Services, not a ${type} Service${type === "ClusterIP" ? " without externalIPs" : ""}`,
      "remove it, or use type NodePort or LoadBalancer",
      "none",
    );
}

/** clusterIP and clusterIPs, as one list; returns whether the Service is headless. */
function checkClusterIPs(r: Report, spec: Record<string, unknown>, type: string): boolean {
  const one = typeof spec.clusterIP === "string" && spec.clusterIP !== "" ? spec.clusterIP : undefined;
  const list = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : undefined;
  const listPath = [...SPEC, "clusterIPs"];
  if (one !== undefined && list && list.length > 0 && list[0] !== one) {
    const hint = "write one of them, or make clusterIPs start with clusterIP";
    const what = `clusterIPs[0] ${JSON.stringify(list[0])} must be the same as clusterIP ${JSON.stringify(one)}`;
    r.error("NP2018", [...listPath, 0], what, hint);
    return false;
  }
  // The effective list and where each entry is written.
  const ips: { text: string; path: Path }[] =
    list && list.length > 0
      ? list.flatMap((t: unknown, i) => (typeof t === "string" ? [{ text: t, path: [...listPath, i] }] : []))
      : one !== undefined
        ? [{ text: one, path: [...SPEC, "clusterIP"] }]
        : [];
  const first = ips[0];
  const headless = first?.text === "None";
  if (headless && ips.length > 1) {
    r.error("NP2007", listPath, '"None" (headless) must be the first and only cluster IP');
    return true;
  }
  if (headless && first && (type === "NodePort" || type === "LoadBalancer"))
    r.error(
      "NP2004",
      first.path,
      `clusterIP may not be "None" for a ${type} Service`,
      "a headless Service has no cluster IP to forward node ports or load balancer traffic to; use type ClusterIP",
    );
  if (headless) return true;
  const parsed = ips.map((ip) => ipAt(r, ip.text, ip.path, "cluster IP"));
  if (parsed.some((p) => p === undefined)) return false;
  if (ips.length > 2) {
    r.error("NP2018", listPath, `clusterIPs may hold at most 2 IPs (one per family), got ${ips.length}`);
    return false;
  }
  const [a, b] = parsed as ParsedIp[];
  if (a && b && a.family === b.family)
    r.error(
      "NP2018",
      [...listPath, 1],
      `clusterIPs may hold one IP of each family; ${ips[0]?.text} and ${ips[1]?.text} are both IPv${a.family}`,
      "a dual-stack Service has one IPv4 and one IPv6 cluster IP",
    );
  const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  parsed.forEach((ip, i) => {
    const want = families[i];
    const got = ip?.family === 4 ? "IPv4" : "IPv6";
    if (typeof want === "string" && (want === "IPv4" || want === "IPv6") && want !== got)
      r.error(
        "NP2018",
        ips[i]?.path ?? listPath,
        `cluster IP ${ips[i]?.text} is ${got}, but ipFamilies[${i}] is ${want}`,
        "list ipFamilies in the order of the cluster IPs",
      );
  });
  return false;
}

function checkExternalName(r: Report, spec: Record<string, unknown>): void {
  const name = typeof spec.externalName === "string" ? spec.externalName.replace(/\.$/, "") : "";
  if (name === "")
    r.error(
      "NP2002",
      [...SPEC, "externalName"],
      "an ExternalName Service requires externalName",
      "set externalName to the DNS name clients are sent to, e.g. db.example.com",
    );
  else {
    const bad = dns1123Subdomain(name);
    if (bad)
      r.error("NP2004", [...SPEC, "externalName"], `invalid externalName ${JSON.stringify(name)}: ${bad}`);
  }
  const unused = ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"].filter(
    (f) => spec[f] !== undefined && spec[f] !== "" && !(Array.isArray(spec[f]) && spec[f].length === 0),
  );
  for (const f of unused)
    r.error(
      "NP2004",
      [...SPEC, f],
      `${f} may not be set for an ExternalName Service`,
      "an ExternalName Service has no cluster IP: it is a DNS alias",
      "none",
    );
}

function checkLoadBalancer(
  r: Report,
  body: Record<string, unknown>,
  spec: Record<string, unknown>,
  type: string,
): void {
  const ranges = spec.loadBalancerSourceRanges;
  if (Array.isArray(ranges) && ranges.length > 0) {
    if (type !== "LoadBalancer")
      r.error(
        "NP2004",
        [...SPEC, "loadBalancerSourceRanges"],
        `loadBalancerSourceRanges may only be used when type is LoadBalancer, not ${type}`,
        undefined,
        "none",
      );
    ranges.forEach((c: unknown, i) => {
      // The API server trims spaces here (the field replaced an annotation that allowed them).
      if (typeof c === "string") cidrAt(r, c.trim(), [...SPEC, "loadBalancerSourceRanges", i]);
    });
  }
  const status = isPlainObject(body.status) ? body.status : undefined;
  const lb = status && isPlainObject(status.loadBalancer) ? status.loadBalancer : undefined;
  if (!lb || !Array.isArray(lb.ingress)) return;
  lb.ingress.forEach((ing: unknown, i) => {
    if (isPlainObject(ing) && typeof ing.ip === "string" && ing.ip !== "")
      ipAt(r, ing.ip, ["status", "loadBalancer", "ingress", i, "ip"], "load balancer IP");
  });
}

function checkPorts(r: Report, ports: readonly unknown[], type: string): void {
  const names = new Set<string>();
  const seen = new Map<string, number>();
  const nodePorts = new Map<string, number>();
  ports.forEach((p: unknown, i) => {
    if (!isPlainObject(p)) return;
    const at = [...SPEC, "ports", i];
    checkPortName(r, p.name, [...at, "name"], ports.length > 1, names);
    checkProtocol(r, p.protocol, [...at, "protocol"]);
    const protocol = typeof p.protocol === "string" ? p.protocol : "TCP";
    if (typeof p.port === "number") {
      const bad = portNumberProblem(p.port);
      if (bad) r.error("NP2009", [...at, "port"], bad);
      const key = `${p.port}/${protocol}`;
      const earlier = seen.get(key);
      if (earlier !== undefined)
        r.error(
          "NP2009",
          at,
          `duplicate port ${key}: the same port and protocol as ports[${earlier}]`,
          "each port and protocol may appear once; remove one, or give it another port number",
        );
      else seen.set(key, i);
    }
    checkTargetPort(r, p.targetPort, [...at, "targetPort"]);
    if (typeof p.nodePort === "number" && p.nodePort !== 0) {
      if (type === "ClusterIP")
        r.error(
          "NP2004",
          [...at, "nodePort"],
          "nodePort may not be used when type is ClusterIP",
          "remove nodePort, or use type NodePort or LoadBalancer; netpolc ignores it",
          "none",
        );
      if (portNumberProblem(p.nodePort))
        r.error("NP2009", [...at, "nodePort"], `nodePort ${p.nodePort} is out of range 1-65535`);
      const key = `${p.nodePort}/${protocol}`;
      const earlier = nodePorts.get(key);
      if (earlier !== undefined)
        r.error(
          "NP2009",
          [...at, "nodePort"],
          `duplicate nodePort ${key}: already used by ports[${earlier}]`,
        );
      else nodePorts.set(key, i);
    }
  });
}

function checkPortName(r: Report, name: unknown, path: Path, required: boolean, names: Set<string>): void {
  if (name === undefined || name === "") {
    if (required)
      r.error(
        "NP2009",
        path,
        "port name is required when a Service has more than one port",
        "name every port, e.g. name: http",
        "none",
      );
    return;
  }
  if (typeof name !== "string") return;
  const bad = dns1123Label(name);
  if (bad) r.error("NP2009", path, `invalid port name ${JSON.stringify(name)}: ${bad}`);
  else if (names.has(name))
    r.error(
      "NP2009",
      path,
      `port name ${JSON.stringify(name)} is already used by another port of this Service`,
    );
  else names.add(name);
}

/** Number (1..65535) or a container port name (IANA_SVC_NAME); 0 and "" were read as `port`. */
function checkTargetPort(r: Report, target: unknown, path: Path): void {
  if (typeof target === "number") {
    if (portNumberProblem(target))
      r.error("NP2009", path, `targetPort ${target} is out of range 1-65535`, "omit targetPort to use port");
  } else if (typeof target === "string") {
    const bad = ianaSvcName(target);
    if (bad)
      r.error(
        "NP2009",
        path,
        `invalid targetPort name ${JSON.stringify(target)}: ${bad}`,
        /^\d+$/.test(target)
          ? `a port number is written without quotes: targetPort: ${target}`
          : "a named targetPort must match a container port's name, which follows the same rule",
      );
  }
}
