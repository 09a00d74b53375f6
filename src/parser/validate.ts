/**
 * One candidate object → diagnostics and the typed object. What the API server would reject is an
 * error; an error drops the smallest unit whose meaning is lost (loss.ts: usually the whole object,
 * but only a container or Service port entry for a bad port, nothing for a malformed name).
 * Warnings keep the object; under `strict` every warning is an error and any error drops the whole
 * object. The object is kept as written, read as the API server decodes it (normalize.ts).
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import { checkClusterPolicy, isClusterPolicyKind } from "./cluster-policy.js";
import type { DuplicateKey, Yaml11Scalar } from "./compose.js";
import { checkEndpointSlice, checkEndpoints } from "./endpoints.js";
import { checkIngress, checkRoute } from "./ingress.js";
import { type K8sObject, type OtherObject, WORKLOAD_KINDS } from "./k8s.js";
import { classify, type KindSpec, KNOWN_KINDS, preferredApiVersion, specOf } from "./kinds.js";
import { checkLabels, checkNames } from "./labels.js";
import { assess, originalPath, repair } from "./loss.js";
import { checkNetworkPolicy } from "./netpol.js";
import { checkNode } from "./nodes.js";
import { readAsDecoded, yaml11Repair } from "./normalize.js";
import { checkPod, checkWorkload } from "./pods.js";
import { isPlainObject, type PathSegment, type PositionTable } from "./positions.js";
import { type ObjectLocator, Report, refOf } from "./report.js";
import { validateSchema } from "./schema.js";
import { checkService } from "./services.js";
import { closest } from "./suggest.js";
import { describeYaml11, yaml11Matters } from "./yaml11.js";

/** An object found in a document: a root mapping or an item of a `List`. */
export interface Candidate {
  readonly body: Record<string, unknown>;
  readonly table: PositionTable;
  readonly slot: number;
  /** Inferred from an enclosing typed list (`PodList` → `v1`, `Pod`). */
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  /** Paths relative to the object. */
  readonly duplicates: DuplicateKey[];
  readonly yaml11: Yaml11Scalar[];
  /** False when the document holds no null at all. */
  readonly hasNull: boolean;
}

export interface Outcome {
  readonly diagnostics: readonly Diagnostic[];
  readonly object?: K8sObject;
  readonly other?: OtherObject;
}

const WORKLOADS = new Set<string>(WORKLOAD_KINDS);

export function validateCandidate(c: Candidate, loc: ObjectLocator, text: string, strict: boolean): Outcome {
  const body = c.body;
  // 1. Identify the kind; unknown kinds and non-objects stop here.
  const apiVersion = typeof body.apiVersion === "string" ? body.apiVersion : c.apiVersion;
  const kind = typeof body.kind === "string" ? body.kind : c.kind;
  const cls = classify(apiVersion ?? "", kind ?? "");
  loc.ref = refOf(kind ?? "object", body, cls.status === "unknown" || cls.spec.namespaced);
  const r = new Report(loc, loc.ref, text);
  if (apiVersion === undefined || kind === undefined || cls.status === "unknown") {
    unidentified(r, apiVersion, kind);
    return finish(r, strict);
  }
  // 2. Duplicate keys (the API server's strict decoding rejects the object) and removed versions.
  for (const d of c.duplicates) {
    const what = `duplicate key "${d.key}" (first at line ${loc.at(d.firstOffset).line})`;
    r.add("NP1003", "error", d.path, what, "the API server rejects duplicate keys; keep one", d.offset);
  }
  const spec = cls.spec;
  if (cls.status === "unserved") {
    const hint = `use apiVersion: ${preferredApiVersion(spec)}`;
    r.error("NP2004", ["apiVersion"], `${apiVersion} does not serve ${kind} (any more)`, hint);
    return finish(r, strict);
  }
  // 3. Structure (JSON Schema) of the object as decoded; items of typed lists may omit apiVersion/kind.
  const repaired = new Set<Yaml11Scalar>();
  if (spec.modelled) readAsDecoded(kind, body, c.hasNull);
  const typed = body.apiVersion === apiVersion && body.kind === kind ? body : { ...body, apiVersion, kind };
  validateSchema(spec.modelled ? kind : "object", typed, r, yaml11Repair(body, c.yaml11, r, repaired));
  // 4. Names and values, per kind.
  checkValues(r, spec, body);
  // 5. YAML 1.1 readings where they matter.
  for (const s of c.yaml11) {
    if (repaired.has(s) || !yaml11Matters(s, spec.modelled, kind)) continue;
    const { what, hint } = describeYaml11(s);
    r.add("NP1008", "warning", s.path, what, hint, s.offset);
  }
  const outcome = finish(r, strict);
  // 6. What survives the errors (loss.ts); under `strict` any error or warning costs the object.
  const keep = assess(kind, r.faults);
  if (!keep || (strict && outcome.diagnostics.some((d) => d.severity === "error"))) return outcome;
  // 7. The typed object. Others also get their top-level fields, so later stages can read `spec`.
  const kept = repair(body, keep);
  const toOriginal = originalPath(keep);
  const located = {
    apiVersion,
    kind,
    source: loc.locate([]),
    locate: (p: readonly PathSegment[]) => loc.locate(toOriginal(p)),
  };
  if (spec.modelled) return { ...outcome, object: { ...kept, ...located } as unknown as K8sObject };
  return { ...outcome, other: { ...kept, ...located, body: kept } as unknown as OtherObject };
}

function unidentified(r: Report, apiVersion: string | undefined, kind: string | undefined): void {
  const known = kind === undefined ? undefined : specOf(kind);
  if (apiVersion === undefined && known) {
    r.error(
      "NP2002",
      ["apiVersion"],
      "required field is missing",
      `use apiVersion: ${preferredApiVersion(known)}`,
    );
  } else if (apiVersion === undefined || kind === undefined) {
    const what =
      kind === undefined && apiVersion === undefined
        ? "apiVersion and kind"
        : kind === undefined
          ? "kind"
          : "apiVersion";
    const source = r.loc.at(r.loc.valueOffset([]));
    r.diagnostics.push(
      diagnostic("NP1006", "warning", `document is not a Kubernetes object (no ${what}); skipped`, {
        source,
      }),
    );
  } else {
    const near = closest(kind, KNOWN_KINDS);
    const hint =
      near === undefined
        ? undefined
        : near !== kind
          ? `did you mean ${near}?`
          : `netpolc reads ${near} of ${preferredApiVersion(specOf(near))}`;
    r.warn("NP1007", [], `kind ${kind} (${apiVersion}) is not modelled by netpolc; skipped`, hint);
  }
}

function checkValues(r: Report, spec: KindSpec, body: Record<string, unknown>): void {
  const meta = isPlainObject(body.metadata) ? body.metadata : undefined;
  if (meta) checkNames(r, meta, spec.modelled ? spec.name : "any", spec.namespaced);
  if (!spec.modelled) return;
  if (meta) checkLabels(r, meta.labels, ["metadata", "labels"]);
  if (spec.kind === "NetworkPolicy") checkNetworkPolicy(r, body);
  else if (spec.kind === "Pod") checkPod(r, body);
  else if (WORKLOADS.has(spec.kind)) checkWorkload(r, spec.kind, body);
  else if (spec.kind === "Node") checkNode(r, body);
  else if (isClusterPolicyKind(spec.kind)) checkClusterPolicy(r, spec.kind, body);
  else if (spec.kind === "Service") checkService(r, body);
  else if (spec.kind === "Endpoints") checkEndpoints(r, body);
  else if (spec.kind === "EndpointSlice") checkEndpointSlice(r, body);
  else if (spec.kind === "Ingress") checkIngress(r, body);
  else if (spec.kind === "Route") checkRoute(r, body);
}

/** The report's diagnostics in source order; under `strict`, warnings become errors. */
function finish(r: Report, strict: boolean): { diagnostics: readonly Diagnostic[] } {
  const at = (d: Diagnostic) => (d.source?.line ?? 0) * 1e6 + (d.source?.column ?? 0);
  const sorted = [...r.diagnostics].sort((a, b) => at(a) - at(b));
  if (!strict) return { diagnostics: sorted };
  return {
    diagnostics: sorted.map((d) => (d.severity === "warning" ? { ...d, severity: "error" as const } : d)),
  };
}
