/**
 * Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) value checks, following
 * validateEndpointSubsets (k8s.io/kubernetes/pkg/apis/core/validation) and ValidateEndpointSlice
 * (pkg/apis/discovery/validation). Structure, types, addressType and list sizes are checked by the
 * schema (schemas/endpoints.json).
 *
 * | field                                    | rejected by the API server                               | code   | costs (loss.ts)  |
 * |------------------------------------------|----------------------------------------------------------|--------|------------------|
 * | Endpoints subsets[i]                     | neither addresses nor notReadyAddresses                  | NP2002 | nothing          |
 * | subsets[i].(notReady)addresses[j].ip     | not an IP; unspecified, loopback or link-local           | NP2007 | that address     |
 * | subsets[i].ports[j]                      | port outside 1..65535; bad name or protocol              | NP2009, NP2011 | that port entry |
 * | subsets[i].ports[j].name                 | missing while the subset has more than one port          | NP2009 | nothing          |
 * | EndpointSlice endpoints[i].addresses[j]  | not an address of addressType (IPv4, IPv6: not special; FQDN: a domain name) | NP2007, NP2004 | that endpoint |
 * | endpoints[i].addresses                   | empty                                                    | NP2002 | that endpoint    |
 * | nodeName (of an address or endpoint)     | not a DNS-1123 subdomain                                 | NP2013 | nothing: no node matches it |
 * | ports[i]                                 | bad name, the same name as an earlier port (also ""), protocol | NP2009, NP2011 | that port entry |
 *
 * An endpoint, address or port that means nothing is dropped; the others still carry traffic.
 * Not rejected, but warned: an EndpointSlice port outside 1..65535 (the API server does not check
 * it; no traffic can use it, NP2009), and a slice without the kubernetes.io/service-name label
 * (NP2019: the model ties slices to Services by that label only).
 */
import { endpointIpAt } from "./addresses.js";
import { dns1123Label, dns1123Subdomain, fullyQualifiedDomainName } from "./names.js";
import { checkProtocol, portNumberProblem } from "./netpol.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

type Path = readonly PathSegment[];

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export function checkEndpoints(r: Report, body: Record<string, unknown>): void {
  if (!Array.isArray(body.subsets)) return;
  body.subsets.forEach((s: unknown, i) => {
    if (!isPlainObject(s)) return;
    const at = ["subsets", i];
    const lists = ["addresses", "notReadyAddresses"] as const;
    if (lists.every((l) => !Array.isArray(s[l]) || s[l].length === 0))
      r.error("NP2002", at, "a subset must list addresses or notReadyAddresses", undefined, "none");
    for (const list of lists) {
      const addrs = s[list];
      if (Array.isArray(addrs))
        addrs.forEach((a: unknown, j) => {
          if (isPlainObject(a)) checkEndpointAddress(r, a, [...at, list, j]);
        });
    }
    const ports = Array.isArray(s.ports) ? s.ports : [];
    ports.forEach((p: unknown, j) => {
      if (!isPlainObject(p)) return;
      const pAt = [...at, "ports", j];
      checkPortName(r, p.name, [...pAt, "name"]);
      if ((p.name === undefined || p.name === "") && ports.length > 1)
        r.error(
          "NP2009",
          [...pAt, "name"],
          "port name is required when a subset has more than one port",
          "use the names of the Service's ports",
          "none",
        );
      if (typeof p.port === "number") {
        const bad = portNumberProblem(p.port);
        if (bad) r.error("NP2009", [...pAt, "port"], bad);
      }
      checkProtocol(r, p.protocol, [...pAt, "protocol"]);
    });
  });
}

function checkEndpointAddress(r: Report, a: Record<string, unknown>, path: Path): void {
  if (typeof a.ip === "string") endpointIpAt(r, a.ip, [...path, "ip"], "endpoint IP");
  checkNodeName(r, a.nodeName, [...path, "nodeName"]);
}

export function checkEndpointSlice(r: Report, body: Record<string, unknown>): void {
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  const labels = isPlainObject(meta.labels) ? meta.labels : {};
  if (typeof labels[SERVICE_NAME_LABEL] !== "string" || labels[SERVICE_NAME_LABEL] === "")
    r.warn(
      "NP2019",
      isPlainObject(meta.labels) ? ["metadata", "labels"] : ["metadata"],
      `the slice is not tied to a Service: it has no ${SERVICE_NAME_LABEL} label; netpolc ignores its endpoints`,
      `label it ${SERVICE_NAME_LABEL}: <the Service's name>`,
    );
  const type = body.addressType;
  if (Array.isArray(body.endpoints))
    body.endpoints.forEach((e: unknown, i) => {
      if (!isPlainObject(e)) return;
      const at = ["endpoints", i];
      if (Array.isArray(e.addresses))
        e.addresses.forEach((a: unknown, j) => {
          if (typeof a === "string") checkSliceAddress(r, a, type, [...at, "addresses", j]);
        });
      checkNodeName(r, e.nodeName, [...at, "nodeName"]);
    });
  if (!Array.isArray(body.ports)) return;
  const names = new Map<string, number>();
  body.ports.forEach((p: unknown, i) => {
    if (!isPlainObject(p)) return;
    const at = ["ports", i];
    checkPortName(r, p.name, [...at, "name"]);
    const name = typeof p.name === "string" ? p.name : "";
    const earlier = names.get(name);
    if (earlier !== undefined)
      r.error(
        "NP2009",
        [...at, name === "" ? "port" : "name"],
        `port name ${JSON.stringify(name)} is already used by ports[${earlier}]`,
        name === ""
          ? "at most one port of a slice may be unnamed; name them as the Service names its ports"
          : undefined,
      );
    else names.set(name, i);
    checkProtocol(r, p.protocol, [...at, "protocol"]);
    if (typeof p.port === "number" && portNumberProblem(p.port))
      r.warn(
        "NP2009",
        [...at, "port"],
        `port ${p.port} is out of range 1-65535: the API server accepts it, but no traffic can use it`,
        "omit port (no port), or write the Service's target port",
      );
  });
}

function checkSliceAddress(r: Report, a: string, type: unknown, path: Path): void {
  if (type === "IPv4" || type === "IPv6")
    endpointIpAt(r, a, path, `${type} endpoint address`, type === "IPv4" ? 4 : 6);
  else if (type === "FQDN") {
    const bad = fullyQualifiedDomainName(a);
    if (bad) r.error("NP2004", path, `invalid FQDN endpoint address ${JSON.stringify(a)}: ${bad}`);
  }
}

function checkPortName(r: Report, name: unknown, path: Path): void {
  if (typeof name !== "string" || name === "") return;
  const bad = dns1123Label(name);
  if (bad) r.error("NP2009", path, `invalid port name ${JSON.stringify(name)}: ${bad}`);
}

function checkNodeName(r: Report, name: unknown, path: Path): void {
  if (typeof name !== "string") return;
  const bad = dns1123Subdomain(name);
  if (bad) r.error("NP2013", path, `invalid node name ${JSON.stringify(name)}: ${bad}`, undefined, "none");
}
