/**
 * Shared by the solver commands (verify, compare, lint): option checks and the JSON form of a
 * counterexample or witness endpoint.
 */
import { formatIp } from "../model/index.js";
import type { DecodedEndpoint } from "../solver/index.js";
import { EXIT } from "./io.js";

/**
 * Positive integer milliseconds from an option, or undefined after reporting a usage error
 * (exit code 2).
 */
export function milliseconds(option: string, value: string): number | undefined {
  const n = Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  process.stderr.write(`error NP9001: ${option} must be a positive integer (milliseconds), got "${value}"\n`);
  process.exitCode = EXIT.invalid;
  return undefined;
}

/** A decoded endpoint as JSON: existing pods, hypothetical pods (with what defines them), addresses. */
export function endpointJson(e: DecodedEndpoint): unknown {
  if (e.kind === "address") return { kind: "address", ip: formatIp(e.ip.family, e.ip.value) };
  return {
    kind: e.existing ? "pod" : "hypothetical-pod",
    namespace: e.namespace,
    name: e.name,
    ...(e.workload ? { workload: e.workload } : {}),
    labels: e.labels,
    namespaceLabels: e.namespaceLabels,
    newNamespace: e.newNamespace,
    ports: e.ports,
    ...(e.ip ? { ip: formatIp(e.ip.family, e.ip.value) } : {}),
  };
}
