/** Small manifest builders for the parser tests. Line numbers in the tests count from these shapes. */
import type { Diagnostic } from "../../../src/common/index.js";
import type { ParseResult } from "../../../src/parser/index.js";

/**
 * A NetworkPolicy `bad` in namespace `ns`; `spec` lines are indented under `spec:`.
 * Line 1 apiVersion, 2 kind, 3 metadata, 4 name, 5 namespace, 6 `spec:`, 7.. the given lines.
 */
export function policy(spec: string, name = "bad"): string {
  const body = spec
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ns\nspec:\n${body}\n`;
}

const indent = (lines: string) =>
  lines
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/**
 * A cluster-scoped object `name`: line 1 apiVersion, 2 kind, 3 metadata, 4 name, 5 `spec:`,
 * 6.. the given spec lines (indented by two).
 */
function clusterScoped(apiVersion: string, kind: string) {
  return (spec: string, name = "bad") =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}\n`;
}

export const cnp = clusterScoped("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy");
export const anp = clusterScoped("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy");
const banpNamed = clusterScoped("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy");
export const banp = (spec: string, name = "default") => banpNamed(spec, name);

/**
 * A Node `n1` labelled `zone: a`; line 8 is the first address entry (`- {type: ..., address: ...}`).
 */
export function node(addresses: readonly string[], name = "n1"): string {
  const items = addresses.map((a) => `  - ${a}`).join("\n");
  return `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n  labels: {zone: a}\nstatus:\n  addresses:\n${items}\n`;
}

/**
 * A namespaced object `bad` in namespace `ns` with a spec: line 1 apiVersion, 2 kind, 3 metadata,
 * 4 name, 5 namespace, 6 `spec:`, 7.. the given spec lines (indented by two), as `policy` lays out.
 */
function namespacedSpec(apiVersion: string, kind: string) {
  return (spec: string, name = "bad") =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ns\nspec:\n${indent(spec)}\n`;
}

export const service = namespacedSpec("v1", "Service");
export const ingress = namespacedSpec("networking.k8s.io/v1", "Ingress");
export const route = namespacedSpec("route.openshift.io/v1", "Route");

/**
 * An EndpointSlice `bad` of Service `web` in namespace `ns`: line 1 apiVersion, 2 kind, 3 metadata,
 * 4 name, 5 namespace, 6 labels, 7 `addressType: IPv4`, 8.. the given top-level lines.
 */
export function endpointSlice(
  body: string,
  name = "bad",
  labels = "{kubernetes.io/service-name: web}",
): string {
  return `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ${name}\n  namespace: ns\n  labels: ${labels}\naddressType: IPv4\n${body}\n`;
}

/** Endpoints `bad` in namespace `ns`: line 1 apiVersion, 2 kind, 3 metadata, 4 name, 5 namespace, 6.. the given lines. */
export function endpoints(body: string, name = "bad"): string {
  return `apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: ${name}\n  namespace: ns\n${body}\n`;
}

/** A valid NetworkPolicy, to check that valid objects next to a broken one survive. */
export const OK_POLICY = `---\n${policy("podSelector: {}", "ok")}`;

/** A valid Pod `name` in namespace `ns` with labels app=web and a named port. */
export function pod(name: string, extra = ""): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ns
  labels: {app: web}
spec:
  containers:
  - name: main
    ports:
    - {containerPort: 8080, name: http}
${extra}`;
}

export function names(r: ParseResult): string[] {
  return [...r.objects, ...r.others].map((o) => `${o.kind}/${o.metadata.name}`);
}

/** `code severity line:column` of each diagnostic, for compact assertions. */
export function brief(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.code} ${d.severity} ${d.source?.line ?? "?"}:${d.source?.column ?? "?"}`);
}
