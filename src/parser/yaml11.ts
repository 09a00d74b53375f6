/**
 * Where a YAML 1.1 / 1.2 difference matters, and how to say so. The API server decodes manifests as
 * YAML 1.1 (sigs.k8s.io/yaml), so `enabled: yes` under matchLabels is the boolean true there (and the
 * object is rejected: label values are strings), while a YAML 1.2 tool sees the string "yes".
 */
import type { Yaml11Scalar } from "./compose.js";
import type { PathSegment } from "./positions.js";

/** Maps whose keys and values are label-like strings. */
const STRING_MAPS = new Set(["labels", "matchLabels", "annotations"]);
/** Scalar fields netpolc reads. */
const READ_FIELDS = new Set([
  "apiVersion",
  "kind",
  "name",
  "namespace",
  "key",
  "operator",
  "values",
  "port",
  "endPort",
  "protocol",
  "containerPort",
  "hostPort",
  "replicas",
  "hostNetwork",
  "nodeName",
  "cidr",
  "except",
  "podIP",
  "ip",
  "hostIP",
  "policyTypes",
  "tier",
  "priority",
  "action",
  "number",
  "start",
  "end",
  "networks",
  "domainNames",
  "destinationNamedPort",
  "namedPort",
  "address",
  "targetPort",
  "nodePort",
  "type",
  "clusterIP",
  "clusterIPs",
  "ipFamilies",
  "externalName",
  "externalIPs",
  "loadBalancerSourceRanges",
  "addressType",
  "addresses",
  "pathType",
  "weight",
]);

export function yaml11Matters(s: Yaml11Scalar, modelled: boolean, kind: string): boolean {
  const path = s.path;
  const strings = path.filter((p): p is string => typeof p === "string");
  const last = strings[strings.length - 1];
  if (!modelled)
    return path[0] === "metadata" && path.length === 2 && (last === "name" || last === "namespace");
  if (s.isKey) return STRING_MAPS.has(String(path[path.length - 2])) || isLabelMapSelector(path, kind);
  const parent = path[path.length - 2];
  if (typeof parent === "string" && (STRING_MAPS.has(parent) || isLabelMapSelector(path, kind))) return true;
  return last !== undefined && READ_FIELDS.has(last) && !isUnreadContainerField(path);
}

/** The `spec.selector` of a ReplicationController or a Service is a plain label map. */
function isLabelMapSelector(path: readonly PathSegment[], kind: string): boolean {
  return (
    (kind === "ReplicationController" || kind === "Service") &&
    path[0] === "spec" &&
    path[1] === "selector" &&
    path.length === 3
  );
}

/** Under a container only `ports` is read. */
function isUnreadContainerField(path: readonly PathSegment[]): boolean {
  const i = path.findIndex((p) => p === "containers" || p === "initContainers");
  return i >= 0 && path[i + 2] !== "ports";
}

export function describeYaml11(s: Yaml11Scalar): { what: string; hint: string } {
  const what = `plain scalar ${s.text} is ${show(s.value)} in YAML 1.2 but ${show(s.yaml11)}${base(s.text)} in YAML 1.1, which the API server uses`;
  const hint =
    typeof s.yaml11 === "boolean"
      ? `quote it ("${s.text}") to mean the string, or write ${String(s.yaml11)} to mean the boolean`
      : `quote it ("${s.text}") to mean the string, or write ${String(s.yaml11)} to mean the number`;
  return { what, hint };
}

function show(v: unknown): string {
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `the boolean ${v}`;
  if (typeof v === "number") return `the number ${v}`;
  return String(v);
}

function base(text: string): string {
  if (/^[-+]?0[0-7]+$/.test(text)) return " (octal)";
  if (text.includes(":")) return " (base 60)";
  return "";
}

/** Whether the YAML 1.1 reading has a type the schema expects (`"boolean"`, `"integer,string"`, ...). */
export function fitsType(v: unknown, expected: string): boolean {
  return expected.split(",").some((t) => {
    if (t === "integer") return Number.isInteger(v);
    if (t === "null") return v === null;
    return typeof v === t;
  });
}
