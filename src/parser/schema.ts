/**
 * JSON-Schema validation (ajv, all errors) of the structure of each kind, and the mapping of ajv
 * errors to diagnostics placed at the offending field. Value rules (ranges, formats, selector
 * operators) are checked in code, where messages can be specific.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { PathSegment } from "./positions.js";
import type { Report } from "./report.js";
import clusterpolicy from "./schemas/clusterpolicy.json" with { type: "json" };
import endpoints from "./schemas/endpoints.json" with { type: "json" };
import ingress from "./schemas/ingress.json" with { type: "json" };
import meta from "./schemas/meta.json" with { type: "json" };
import namespace from "./schemas/namespace.json" with { type: "json" };
import networkpolicy from "./schemas/networkpolicy.json" with { type: "json" };
import node from "./schemas/node.json" with { type: "json" };
import object from "./schemas/object.json" with { type: "json" };
import pod from "./schemas/pod.json" with { type: "json" };
import route from "./schemas/route.json" with { type: "json" };
import service from "./schemas/service.json" with { type: "json" };
import workloads from "./schemas/workloads.json" with { type: "json" };
import { closest } from "./suggest.js";

const SCHEMA_REF: Readonly<Record<string, string>> = {
  Namespace: "namespace.json",
  Pod: "pod.json",
  NetworkPolicy: "networkpolicy.json",
  Deployment: "workloads.json#/$defs/Deployment",
  ReplicaSet: "workloads.json#/$defs/ReplicaSet",
  StatefulSet: "workloads.json#/$defs/StatefulSet",
  DaemonSet: "workloads.json#/$defs/DaemonSet",
  Job: "workloads.json#/$defs/Job",
  CronJob: "workloads.json#/$defs/CronJob",
  ReplicationController: "workloads.json#/$defs/ReplicationController",
  ClusterNetworkPolicy: "clusterpolicy.json#/$defs/ClusterNetworkPolicy",
  AdminNetworkPolicy: "clusterpolicy.json#/$defs/AdminNetworkPolicy",
  BaselineAdminNetworkPolicy: "clusterpolicy.json#/$defs/BaselineAdminNetworkPolicy",
  Node: "node.json",
  Service: "service.json",
  Endpoints: "endpoints.json#/$defs/Endpoints",
  EndpointSlice: "endpoints.json#/$defs/EndpointSlice",
  Ingress: "ingress.json",
  Route: "route.json",
};

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The compiled validator for a kind (`object.json` for kinds kept in `others`); compiled once. */
function validatorFor(kind: string): ValidateFunction {
  const ref = SCHEMA_REF[kind] ?? "object.json";
  let v = validators.get(ref);
  if (!v) {
    ajv ??= new Ajv({
      allErrors: true,
      verbose: true,
      strict: true,
      allowUnionTypes: true,
      schemas: [
        meta,
        namespace,
        pod,
        workloads,
        networkpolicy,
        clusterpolicy,
        node,
        service,
        endpoints,
        ingress,
        route,
        object,
      ],
    });
    v = ajv.getSchema(ref);
    if (!v) throw new Error(`parser: schema ${ref} missing`);
    validators.set(ref, v);
  }
  return v;
}

/** A type error the caller may repair (YAML 1.1 reading); return `true` to suppress the error. */
export type TypeRepair = (path: readonly PathSegment[], expected: string) => boolean;

export function validateSchema(kind: string, body: unknown, report: Report, repair: TypeRepair): void {
  const validate = validatorFor(kind);
  if (validate(body)) return;
  for (const e of validate.errors ?? []) reportError(e, body, report, repair);
}

function reportError(e: ErrorObject, body: unknown, r: Report, repair: TypeRepair): void {
  const path = pointerToPath(body, e.instancePath);
  const title = (e.parentSchema as { title?: string } | undefined)?.title;
  switch (e.keyword) {
    case "type": {
      const expected = String(e.params.type).replace(",", " or ");
      if (repair(path, String(e.params.type))) return;
      const got =
        e.data === null
          ? "null"
          : Array.isArray(e.data)
            ? "a list"
            : typeof e.data === "object"
              ? "a mapping"
              : `${typeof e.data} ${r.rawScalar(path, String(e.data))}`;
      if (title === "LabelValue") {
        const raw = e.data === null ? "" : r.rawScalar(path, String(e.data));
        r.error("NP2006", path, `label value must be a string, got ${got}`, `quote it: "${raw}"`);
      } else r.error("NP2001", path, `must be ${article(expected)}, got ${got}`);
      return;
    }
    case "required": {
      const field = String(e.params.missingProperty);
      const missing = [...path, field];
      if (title === "OwnerReference")
        r.warn(
          "NP2002",
          missing,
          "required field is missing (the API server would reject this owner reference)",
        );
      else r.error("NP2002", missing, "required field is missing", requiredHint(field, title));
      return;
    }
    case "additionalProperties": {
      const field = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(field, known);
      const mean = guess ? `did you mean "${guess}"?` : UNKNOWN_FIELD_HINTS[`${title}.${field}`];
      if (title === "LabelSelector")
        r.error(
          "NP2005",
          [...path, field],
          `unknown field "${field}" in a label selector: it would be ignored and change what the selector selects`,
          mean ?? "put labels under matchLabels",
        );
      else if (title === "LabelSelectorRequirement")
        r.error(
          "NP2005",
          [...path, field],
          `unknown field "${field}" in a label selector requirement`,
          mean ?? "a requirement has key, operator and values",
        );
      else r.warn("NP2003", [...path, field], `unknown field "${field}"; it has no effect`, mean);
      return;
    }
    case "enum":
      r.error(
        "NP2004",
        path,
        `value ${JSON.stringify(e.data)} is not allowed; allowed: ${(e.params.allowedValues as unknown[]).join(", ")}`,
        "values are case-sensitive",
      );
      return;
    case "minItems":
      r.error("NP2002", path, `must have at least ${String(e.params.limit)} item(s)`);
      return;
    case "maxItems":
      r.error(
        "NP2004",
        path,
        `must have at most ${String(e.params.limit)} items, got ${(e.data as unknown[]).length}`,
      );
      return;
    case "maxLength":
      r.error("NP2004", path, `must be at most ${String(e.params.limit)} characters long`);
      return;
    case "uniqueItems":
      r.error(
        "NP2004",
        [...path, Number(e.params.i)],
        `duplicate item (the same as item ${String(e.params.j)}); the list is a set`,
        "remove the duplicate",
      );
      return;
    case "minimum":
      r.error("NP2004", path, `must be at least ${String(e.params.limit)}, got ${String(e.data)}`);
      return;
    default:
      r.error("NP2004", path, e.message ?? `invalid value (${e.keyword})`);
  }
}

/** Hints for unknown fields that are known elsewhere (keyed by schema title and field). */
const UNKNOWN_FIELD_HINTS: Readonly<Record<string, string>> = {
  "ClusterPolicyIngressPeer.networks": "networks peers are allowed in egress rules only",
  "ClusterPolicyIngressPeer.nodes": "nodes peers are allowed in egress rules only",
  "ClusterPolicyIngressPeer.domainNames": "domainNames peers are allowed in egress rules only",
  "ClusterPolicyEgressPeer.domainNames":
    "v1alpha1 has no domainNames peer; ClusterNetworkPolicy (v1alpha2) has",
  "ClusterNetworkPolicyRule.ports":
    "v1alpha2 rules match ports with protocols (tcp, udp, sctp, destinationNamedPort)",
  "AdminNetworkPolicyRule.protocols":
    "v1alpha1 rules match ports with ports (portNumber, portRange, namedPort)",
  "BaselineAdminNetworkPolicySpec.priority":
    "a BaselineAdminNetworkPolicy has no priority: there is at most one, named default",
  "IngressSpec.backend": "networking.k8s.io/v1 calls the default backend defaultBackend",
  "IngressBackend.serviceName":
    "networking.k8s.io/v1 writes service: {name: ..., port: {number: ...}} (serviceName is v1beta1)",
  "IngressBackend.servicePort":
    "networking.k8s.io/v1 writes service: {name: ..., port: {number: ...}} or port: {name: ...} (servicePort is v1beta1)",
  "Endpoint.topology": "discovery.k8s.io/v1 replaced topology with zone, nodeName and deprecatedTopology",
};

function article(t: string): string {
  if (t === "object") return "a mapping";
  if (t === "array") return "a list";
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function requiredHint(field: string, title: string | undefined): string | undefined {
  if (field === "podSelector" && title === "NetworkPolicySpec")
    return "use podSelector: {} to select every pod in the namespace";
  if (title === "NamespacedPod")
    return `write ${field}: {} to select every ${field === "podSelector" ? "pod" : "namespace"}; netpolc reads the missing selector so`;
  return undefined;
}

/** `/spec/ingress/0/from` → `["spec", "ingress", 0, "from"]`, numbers only where the value is a list. */
export function pointerToPath(body: unknown, pointer: string): PathSegment[] {
  if (pointer === "") return [];
  const out: PathSegment[] = [];
  let cur: unknown = body;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
