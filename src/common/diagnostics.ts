/**
 * Diagnostics are data. Every stage returns them next to its value; only the CLI, webhook and REPL
 * edges turn them into text, exit codes or HTTP answers. Codes are stable: declared once here with one
 * line of doc, never renamed (SARIF fingerprints and user suppressions depend on them).
 */
import type { ObjectRef, SourceRef } from "./source.js";

export const DIAGNOSTIC_CODES = {
  // --- input files and YAML ---
  NP1001: "file or directory cannot be read",
  NP1002: "YAML or JSON syntax error",
  NP1003: "duplicate key in a mapping",
  NP1004: "file is empty or holds no document",
  NP1005: "file is binary or not valid UTF-8 text",
  NP1006: "document is not a Kubernetes object (no apiVersion/kind)",
  NP1007: "kind is not modelled by netpolc; object skipped",
  NP1008: "YAML 1.1 and YAML 1.2 read this scalar differently",
  NP1009: "file larger than the input limit",
  // --- schema validation (what the API server would reject or warn about) ---
  NP2001: "field has the wrong type",
  NP2002: "required field missing",
  NP2003: "unknown field",
  NP2004: "value not allowed for this field",
  NP2005: "invalid label selector",
  NP2006: "invalid label key or value",
  NP2007: "invalid CIDR or IP address",
  NP2008: "ipBlock except is not inside its cidr",
  NP2009: "port out of range or invalid",
  NP2010: "endPort invalid (smaller than port, or used with a named port)",
  NP2011: "protocol not supported by NetworkPolicy",
  NP2012: "duplicate object: a later definition replaces an earlier one",
  NP2013: "invalid object name or namespace",
  NP2014: "invalid NetworkPolicy peer (empty, or ipBlock combined with a selector)",
  NP2015: "cluster policy subject, peer, protocol or port sets more or less than exactly one field",
  NP2016: "cluster policy port range does not end after it starts",
  NP2017: "cluster policy peer sets no field netpolc knows: kept empty, it fails closed",
  NP2018:
    "Service cluster IPs inconsistent: clusterIP against clusterIPs, two IPs of one family, or against ipFamilies",
  NP2019: "EndpointSlice without the kubernetes.io/service-name label: not tied to a Service",
  NP2020: "Ingress backend sets both or neither of service and resource, or of port number and port name",
  NP2021: "Ingress resource backend (not a Service): not modelled",
  NP2022: "field set where it has no effect (e.g. a selector on an ExternalName Service)",
  // --- model ---
  NP3001: "pod belongs to an unknown or implied namespace",
  NP3002: "hostNetwork pod: NetworkPolicy does not select it",
  NP3003: "named port not defined on any selected pod",
  NP3004: "ICMP and other non-port protocols are outside NetworkPolicy's defined behaviour",
  NP3005: "domainNames peer cannot be resolved statically",
  NP3006: "cluster policies of one tier share a priority: their order is implementation-defined",
  NP3007: "a pod selected by a Service lacks the named targetPort: it is no endpoint of that port",
  NP3008: "no pod selected by a Service has its named targetPort: the port has no endpoints",
  // --- guarantees ---
  NP4001: "guarantee syntax error: unexpected token (the statement is skipped)",
  NP4002: "invalid label key or value in a guarantee selector",
  NP4003: "invalid CIDR or IP address in a guarantee",
  NP4004: "invalid port, port range or port name in a guarantee",
  NP4005: "duplicate guarantee name in one file",
  NP4006: "`any` or `existing` applied to a set that is not a pod set",
  NP4007: "unterminated string or unexpected character in a guarantee file",
  NP4008: "guarantee too deep: parentheses nested over 200 levels, or over 1000 set operators",
  NP4009: "invalid guarantee name",
  NP4010: "invalid namespace or object name, or `ns/name` reference, in a guarantee",
  NP4020: "guarantee names a namespace that no input object has",
  NP4021: "guarantee names a workload or Service that the input does not have",
  NP4022: "guarantee uses a label key that no object or policy uses",
  NP4023: "guarantee set can match nothing: its constraints are unsatisfiable",
  NP4024: "the solver and the connectivity engine disagree (a netpolc bug: please report it)",
  NP4025: "the solver could not decide a guarantee (timeout or resource limit)",
  // --- lints (netpolc lint, check) ---
  NP5001: "redundant rule: removing it changes no connection of any existing or future pod (proved)",
  NP5002: "redundant policy: removing it changes no connection of any existing or future pod (proved)",
  NP5003: "selector matches nothing in the input",
  NP5004: "workload not isolated for ingress: no policy selects it, every source may connect",
  NP5005: "workload not isolated for egress: no policy selects it, it may connect anywhere",
  NP5006: "policies make DNS (kube-system/kube-dns, port 53) unreachable from a namespace",
  NP5007: "ipBlock except lies inside another except of the same ipBlock: it has no effect",
  NP5008: "rule shadowed by a higher tier: every connection it matches is decided before its tier (proved)",
  NP5009: "lint could not be decided within its time limit",
  // --- usage ---
  NP9001: "invalid command-line usage",
  NP9002: "unknown peer name",
  NP9003: "ambiguous peer name",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly source?: SourceRef | undefined;
  readonly object?: ObjectRef | undefined;
  readonly hint?: string | undefined;
}

export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  extra: { source?: SourceRef | undefined; object?: ObjectRef | undefined; hint?: string | undefined } = {},
): Diagnostic {
  return Object.freeze({ code, severity, message, ...extra });
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
