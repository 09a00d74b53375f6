/**
 * Ingress (networking.k8s.io/v1) and OpenShift Route (route.openshift.io/v1) value checks, following
 * ValidateIngressSpec (k8s.io/kubernetes/pkg/apis/networking/validation) and ValidateRoute
 * (openshift/library-go pkg/route/validation). Structure, required fields (service name, pathType,
 * Route `to` and its name), pathType values and the number of alternate backends are checked by the
 * schemas (schemas/ingress.json, schemas/route.json).
 *
 * | field                                   | rejected by the API server                                      | code   | costs (loss.ts)   |
 * |-----------------------------------------|-----------------------------------------------------------------|--------|-------------------|
 * | Ingress spec                            | neither rules nor defaultBackend                                | NP2002 | nothing: no route |
 * | backend                                 | both or neither of service and resource                         | NP2020 | see below         |
 * | backend.service.port                    | both or neither of number and name                              | NP2020 | see below         |
 * | backend.service.port.number / name      | outside 1..65535 / not an IANA_SVC_NAME                          | NP2009 | see below         |
 * | backend.service.name                    | not a DNS-1035 label (a Service name)                           | NP2013 | see below         |
 * | rules[i].host                           | an IP; not a (wildcard) DNS-1123 subdomain                      | NP2004 | nothing           |
 * | paths[j].path                           | Exact/Prefix: not absolute, or with //, /./, /../, %2f, or ending /. or /.. ; ImplementationSpecific: not absolute | NP2004 | nothing |
 * | ingressClassName                        | not a DNS-1123 subdomain                                        | NP2004 | nothing           |
 * | Route spec.to / alternateBackends[i]    | kind not Service; name empty; weight outside 0..256             | NP2004, NP2002 | see below |
 * | Route spec.port.targetPort              | 0 or ""                                                         | NP2002 | object            |
 *
 * Costs: an error in a path of `rules[i].http.paths` drops that path, and one in a Route's
 * `alternateBackends[i]` drops that backend: each routes on its own, and the others still carry
 * traffic. An error in the Ingress's defaultBackend or the Route's `to` drops the object.
 * Host, path and class name do not change which Service ports the ingress controller reaches.
 * Warned, not rejected: a `resource` backend (NP2021), which netpolc does not model.
 */
import { parseIp } from "./cidr.js";
import { dns1035Label, dns1123Subdomain, ianaSvcName } from "./names.js";
import { portNumberProblem } from "./netpol.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

type Path = readonly PathSegment[];

const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];

export function checkIngress(r: Report, body: Record<string, unknown>): void {
  // An Ingress without spec routes nothing, so the API server rejects it (schema: spec required).
  if (!isPlainObject(body.spec)) return;
  const spec = body.spec;
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  if (rules.length === 0 && spec.defaultBackend === undefined)
    r.error(
      "NP2002",
      ["spec"],
      "an Ingress needs rules or a defaultBackend",
      "netpolc reads it as routing no traffic",
      "none",
    );
  if (isPlainObject(spec.defaultBackend)) checkBackend(r, spec.defaultBackend, ["spec", "defaultBackend"]);
  if (typeof spec.ingressClassName === "string") {
    const bad = dns1123Subdomain(spec.ingressClassName);
    if (bad)
      r.error("NP2004", ["spec", "ingressClassName"], `invalid ingressClassName: ${bad}`, undefined, "none");
  }
  rules.forEach((rule: unknown, i) => {
    if (!isPlainObject(rule)) return;
    const at = ["spec", "rules", i];
    if (typeof rule.host === "string" && rule.host !== "") checkHost(r, rule.host, [...at, "host"]);
    const http = rule.http;
    if (!isPlainObject(http) || !Array.isArray(http.paths)) return;
    http.paths.forEach((p: unknown, j) => {
      if (!isPlainObject(p)) return;
      const pAt = [...at, "http", "paths", j];
      checkPath(r, p.path, p.pathType, [...pAt, "path"]);
      if (isPlainObject(p.backend)) checkBackend(r, p.backend, [...pAt, "backend"]);
    });
  });
}

function checkHost(r: Report, host: string, path: Path): void {
  if (parseIp(host)) {
    r.error("NP2004", path, `host ${host} must be a DNS name, not an IP address`, undefined, "none");
    return;
  }
  const wildcard = host.startsWith("*.");
  const bad =
    host.includes("*") && !wildcard
      ? "a wildcard must be the whole first label (*.example.com)"
      : dns1123Subdomain(wildcard ? host.slice(2) : host);
  if (bad) r.error("NP2004", path, `invalid host ${JSON.stringify(host)}: ${bad}`, undefined, "none");
}

function checkPath(r: Report, text: unknown, pathType: unknown, path: Path): void {
  const p = typeof text === "string" ? text : "";
  const strict = pathType === "Exact" || pathType === "Prefix";
  if (!strict && pathType !== "ImplementationSpecific") return;
  const problems: string[] = [];
  if ((strict || p !== "") && !p.startsWith("/")) problems.push("must be an absolute path (start with /)");
  if (strict && p !== "") {
    for (const s of INVALID_SEQUENCES) if (p.includes(s)) problems.push(`must not contain '${s}'`);
    for (const s of INVALID_SUFFIXES) if (p.endsWith(s)) problems.push(`cannot end with '${s}'`);
  }
  for (const what of problems)
    r.error("NP2004", path, `path ${JSON.stringify(p)} ${what}`, undefined, "none");
}

function checkBackend(r: Report, b: Record<string, unknown>, path: Path): void {
  const service = b.service;
  if (service !== undefined && b.resource !== undefined) {
    r.error("NP2020", path, "a backend cannot set both service and resource", "make them separate paths");
    return;
  }
  if (b.resource !== undefined) {
    r.warn(
      "NP2021",
      [...path, "resource"],
      "a resource backend is not a Service: netpolc does not model the traffic the ingress controller sends to it",
    );
    return;
  }
  if (!isPlainObject(service)) {
    if (service === undefined)
      r.error(
        "NP2020",
        path,
        "a backend must set service (or resource)",
        "write service: {name: ..., port: {number: ...}}",
      );
    return;
  }
  if (typeof service.name === "string") {
    const bad = service.name === "" ? "must not be empty" : dns1035Label(service.name);
    if (bad)
      r.error(
        "NP2013",
        [...path, "service", "name"],
        `invalid Service name ${JSON.stringify(service.name)}: ${bad}`,
      );
  }
  const port = isPlainObject(service.port) ? service.port : {};
  const portPath = [...path, "service", "port"];
  const name = typeof port.name === "string" && port.name !== "" ? port.name : undefined;
  const number = typeof port.number === "number" && port.number !== 0 ? port.number : undefined;
  if (name !== undefined && number !== undefined)
    r.error(
      "NP2020",
      portPath,
      `a backend port cannot set both number (${number}) and name (${JSON.stringify(name)})`,
      "keep one: number for the Service port's number, name for its name",
    );
  else if (name !== undefined) {
    const bad = ianaSvcName(name);
    if (bad) r.error("NP2009", [...portPath, "name"], `invalid port name ${JSON.stringify(name)}: ${bad}`);
  } else if (number !== undefined) {
    const bad = portNumberProblem(number);
    if (bad) r.error("NP2009", [...portPath, "number"], bad);
  } else
    r.error(
      "NP2020",
      service.port === undefined ? [...path, "service"] : portPath,
      "a Service backend needs a port number or a port name",
      "write port: {number: 80} or port: {name: http}",
    );
}

export function checkRoute(r: Report, body: Record<string, unknown>): void {
  const spec = isPlainObject(body.spec) ? body.spec : {};
  if (isPlainObject(spec.to)) checkTarget(r, spec.to, ["spec", "to"]);
  if (Array.isArray(spec.alternateBackends))
    spec.alternateBackends.forEach((b: unknown, i) => {
      if (isPlainObject(b)) checkTarget(r, b, ["spec", "alternateBackends", i]);
    });
  const port = isPlainObject(spec.port) ? spec.port : undefined;
  if (port && (port.targetPort === 0 || port.targetPort === ""))
    r.error(
      "NP2002",
      ["spec", "port", "targetPort"],
      "targetPort must name or number a port of the Service",
      "omit port to route to every port of the Service",
    );
}

function checkTarget(r: Report, t: Record<string, unknown>, path: Path): void {
  if (typeof t.kind === "string" && t.kind !== "" && t.kind !== "Service")
    r.error(
      "NP2004",
      [...path, "kind"],
      `kind ${JSON.stringify(t.kind)} is not allowed: a Route must reference a Service`,
      "write kind: Service (the default)",
    );
  if (t.name === "")
    r.error("NP2002", [...path, "name"], "name is empty: it must name the Service to route to");
  if (typeof t.weight === "number" && (t.weight < 0 || t.weight > 256))
    r.error("NP2004", [...path, "weight"], `weight ${t.weight} is out of range 0-256`);
}
