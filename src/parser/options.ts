/** The parser's one Options type, its defaults, and its result shape. */
import type { Diagnostic } from "../common/index.js";
import type { K8sObject, OtherObject } from "./k8s.js";

export interface ParseOptions {
  /**
   * Every warning becomes an error, and an object with any error is dropped whole (without it, an
   * error drops only the part of the object whose meaning it loses). Default false.
   */
  readonly strict?: boolean;
  /** Files larger than this are rejected unread (NP1009). Default 64 MiB. */
  readonly maxFileBytes?: number;
}

export interface ParseResult {
  /**
   * Objects the model interprets: Namespace, Pod, workloads, NetworkPolicy, ClusterNetworkPolicy,
   * AdminNetworkPolicy, BaselineAdminNetworkPolicy, Node, Service, Endpoints, EndpointSlice, Ingress,
   * Route.
   */
  readonly objects: readonly K8sObject[];
  /**
   * Validated objects of kinds netpolc knows but does not model yet, kept whole (kinds.ts marks
   * them `keep`; every known kind is modelled at present, so this is empty).
   */
  readonly others: readonly OtherObject[];
  readonly diagnostics: readonly Diagnostic[];
}

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface ResolvedParseOptions {
  readonly strict: boolean;
  readonly maxFileBytes: number;
}

/** Applies defaults. Invalid values are a caller bug (the CLI validates user input first). */
export function resolveParseOptions(options: ParseOptions = {}): ResolvedParseOptions {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isFinite(maxFileBytes) || maxFileBytes < 0)
    throw new RangeError(`maxFileBytes must be a non-negative number, got ${maxFileBytes}`);
  return { strict: options.strict ?? false, maxFileBytes };
}
