/**
 * AdmissionReview (admission.k8s.io/v1) in and out: reading a request body into a checked request,
 * turning the request into a state change, and writing the answer. Pure functions; the server
 * (server.ts) does the I/O and the evaluator (evaluate.ts) the judging.
 */
import { Ajv, type ErrorObject } from "ajv";
import { explanationText } from "../cli/explain-text.js";
import { type Diagnostic, formatPosition } from "../common/index.js";
import { formatIp } from "../model/index.js";
import type { K8sObject } from "../parser/index.js";
import { type DecodedEndpoint, formatEndpoint, type GuaranteeResult } from "../solver/index.js";
import type { Change, Evaluation } from "./evaluate.js";
import { parseRaw } from "./state.js";

export const API_VERSION = "admission.k8s.io/v1";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: Operation;
  readonly userInfo?: { readonly username?: string };
  readonly object?: Record<string, unknown> | null;
  readonly oldObject?: Record<string, unknown> | null;
  readonly dryRun?: boolean;
}

const schema = {
  type: "object",
  required: ["apiVersion", "kind", "request"],
  properties: {
    apiVersion: { const: API_VERSION },
    kind: { const: "AdmissionReview" },
    request: {
      type: "object",
      required: ["uid", "kind", "operation"],
      properties: {
        uid: { type: "string", minLength: 1 },
        kind: {
          type: "object",
          required: ["group", "version", "kind"],
          properties: { group: { type: "string" }, version: { type: "string" }, kind: { type: "string" } },
        },
        operation: { enum: ["CREATE", "UPDATE", "DELETE", "CONNECT"] },
        subResource: { type: "string" },
        name: { type: "string" },
        namespace: { type: "string" },
        object: { type: ["object", "null"] },
        oldObject: { type: ["object", "null"] },
        dryRun: { type: "boolean" },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false });
const validate = ajv.compile(schema);

/** A body that is not a v1 AdmissionReview request: HTTP 400 with this message. */
export interface BadReview {
  readonly error: string;
  /** The request's uid when it could be read (the answer then echoes it). */
  readonly uid?: string | undefined;
}

export function readReview(body: string): { request: AdmissionRequest } | BadReview {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { error: `the body is not JSON: ${(e as Error).message}` };
  }
  if (!validate(value)) {
    const uid = (value as { request?: { uid?: unknown } } | null)?.request?.uid;
    return {
      error: `not an ${API_VERSION} AdmissionReview request: ${describe(validate.errors?.[0])}`,
      uid: typeof uid === "string" && uid !== "" ? uid : undefined,
    };
  }
  return { request: (value as { request: AdmissionRequest }).request };
}

function describe(e: ErrorObject | undefined | null): string {
  if (!e) return "invalid";
  const at = e.instancePath === "" ? "the review" : e.instancePath.slice(1).replaceAll("/", ".");
  if (e.keyword === "required")
    return `${at} has no ${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === "const")
    return `${at} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  return `${at} ${e.message ?? "is invalid"}`;
}

/** The kinds whose changes can change a guarantee's verdict, by API group. */
const JUDGED: Readonly<Record<string, string>> = {
  "networking.k8s.io/NetworkPolicy": "NetworkPolicy",
  "policy.networking.k8s.io/ClusterNetworkPolicy": "ClusterNetworkPolicy",
  "policy.networking.k8s.io/AdminNetworkPolicy": "AdminNetworkPolicy",
  "policy.networking.k8s.io/BaselineAdminNetworkPolicy": "BaselineAdminNetworkPolicy",
  "/Namespace": "Namespace",
  "/Pod": "Pod",
  "/Service": "Service",
  "apps/Deployment": "Deployment",
  "apps/ReplicaSet": "ReplicaSet",
  "apps/StatefulSet": "StatefulSet",
  "apps/DaemonSet": "DaemonSet",
  "batch/Job": "Job",
  "batch/CronJob": "CronJob",
};

export type Interpreted =
  | { readonly kind: "change"; readonly change: Change; readonly diagnostics: readonly Diagnostic[] }
  /** Not netpolc's business (another kind, a subresource, CONNECT): allowed as is. */
  | { readonly kind: "skip"; readonly why: string }
  /** The object does not validate: answered per mode, with the diagnostics. */
  | { readonly kind: "invalid"; readonly diagnostics: readonly Diagnostic[] };

/** The change a request asks for. `lookup` finds the object as the state has it (for DELETE). */
export function interpret(
  r: AdmissionRequest,
  lookup: (kind: string, ns: string | undefined, name: string) => K8sObject | undefined,
): Interpreted {
  const kind = JUDGED[`${r.kind.group}/${r.kind.kind}`];
  if (!kind)
    return { kind: "skip", why: `${r.kind.group ? `${r.kind.group}/` : ""}${r.kind.kind} is not judged` };
  if (r.subResource) return { kind: "skip", why: `subresource ${r.subResource} is not judged` };
  if (r.operation === "CONNECT") return { kind: "skip", why: "CONNECT is not judged" };
  const origin = `admission request ${r.uid}`;
  const read = (raw: Record<string, unknown> | null | undefined) => {
    if (!raw) return { object: undefined, diagnostics: [] as readonly Diagnostic[] };
    const apiVersion = r.kind.group ? `${r.kind.group}/${r.kind.version}` : r.kind.version;
    const meta = (raw.metadata ?? {}) as Record<string, unknown>;
    // The API server fills namespace in for namespaced objects only in some versions: take the request's.
    const full = {
      ...raw,
      apiVersion: raw.apiVersion ?? apiVersion,
      kind: raw.kind ?? r.kind.kind,
      metadata: {
        ...meta,
        ...(r.namespace && meta.namespace === undefined ? { namespace: r.namespace } : {}),
      },
    };
    return parseRaw(full, origin);
  };
  // The change replaces the object as the state holds it (the base it is evaluated on); the
  // request's oldObject is read only for an object the state does not have.
  if (r.operation === "DELETE") {
    const known = lookup(kind, r.namespace, r.name ?? "") ?? read(r.oldObject).object;
    if (!known)
      return {
        kind: "skip",
        why: `${kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name} is not in the state`,
      };
    return { kind: "change", change: { op: "delete", old: known }, diagnostics: [] };
  }
  const now = read(r.object);
  const errors = now.diagnostics.filter((d) => d.severity === "error");
  if (!now.object || errors.length > 0)
    return {
      kind: "invalid",
      diagnostics: errors.length > 0 ? errors : [...now.diagnostics],
    };
  const held = lookup(kind, now.object.metadata.namespace, now.object.metadata.name);
  const old = held ?? (r.operation === "UPDATE" ? read(r.oldObject).object : undefined);
  return {
    kind: "change",
    change: { op: "upsert", object: now.object, old },
    diagnostics: now.diagnostics,
  };
}

export type Mode = "enforce" | "warn" | "audit";
export type FailurePolicy = "Fail" | "Ignore";

export interface Answer {
  readonly allowed: boolean;
  readonly code?: number | undefined;
  readonly message?: string | undefined;
  readonly reason?: string | undefined;
  readonly warnings: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>> | undefined;
  /** For metrics and logs: allowed, denied, warned, skipped, invalid, undecided. */
  readonly verdict: "allowed" | "denied" | "warned" | "skipped" | "invalid" | "undecided";
}

/** Kubernetes suggests short warnings; longer ones are cut. */
const WARNING_MAX = 240;
const MAX_WARNINGS = 10;

function warning(text: string): string {
  const one = text.replaceAll(/\s+/g, " ");
  return one.length > WARNING_MAX ? `${one.slice(0, WARNING_MAX - 1)}…` : one;
}

/** The answer to a judged change, by mode and failure policy. */
export function decide(
  e: Evaluation,
  diagnostics: readonly Diagnostic[],
  mode: Mode,
  failure: FailurePolicy,
): Answer {
  const warnings: string[] = diagnostics
    .filter((d) => d.severity !== "info")
    .map((d) => warning(`netpolc ${d.code}: ${d.message}`));
  for (const o of e.stillFailing)
    warnings.push(
      warning(`netpolc: guarantee ${o.guarantee.name} already fails (not caused by this change)`),
    );
  const brokenText = e.broken.map((o) => brokenMessage(o.after));
  const undecidedText = e.undecided.map(
    (o) => `guarantee ${o.guarantee.name} could not be decided (${o.after.reason ?? "unknown"})`,
  );
  const annotations: Record<string, string> = {};
  if (e.broken.length > 0)
    annotations["netpolc.dev/broken"] = e.broken.map((o) => o.guarantee.name).join(",");
  if (e.undecided.length > 0)
    annotations["netpolc.dev/undecided"] = e.undecided.map((o) => o.guarantee.name).join(",");
  const failClosed = failure === "Fail";
  const denies = brokenText.length > 0 || (undecidedText.length > 0 && failClosed);
  if (!denies) {
    if (undecidedText.length > 0)
      warnings.push(...undecidedText.map((t) => warning(`netpolc: ${t}; allowed (failure policy Ignore)`)));
    return {
      allowed: true,
      warnings: warnings.slice(0, MAX_WARNINGS),
      auditAnnotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      verdict: undecidedText.length > 0 ? "undecided" : warnings.length > 0 ? "warned" : "allowed",
    };
  }
  const message = [
    ...brokenText,
    ...(failClosed ? undecidedText.map((t) => `${t}; denied (failure policy Fail)`) : []),
    ...(e.complete
      ? []
      : ["(the remaining guarantees were not checked: one broken guarantee denies the change)"]),
  ].join("\n");
  if (mode === "enforce")
    return {
      allowed: false,
      code: 403,
      reason: "Forbidden",
      message: `netpolc: ${message}`,
      warnings: warnings.slice(0, MAX_WARNINGS),
      auditAnnotations: annotations,
      verdict: brokenText.length > 0 ? "denied" : "undecided",
    };
  if (mode === "warn")
    warnings.unshift(...message.split("\n").map((l) => warning(`netpolc (warn mode): ${l}`)));
  return {
    allowed: true,
    warnings: warnings.slice(0, MAX_WARNINGS),
    auditAnnotations: annotations,
    verdict: mode === "warn" ? "warned" : brokenText.length > 0 ? "denied" : "undecided",
  };
}

function name(e: DecodedEndpoint): string {
  return e.kind === "address" ? formatIp(e.ip.family, e.ip.value) : `${e.namespace}/${e.name}`;
}

/** The failing guarantee, where it is written, and its counterexample in one paragraph. */
export function brokenMessage(r: GuaranteeResult): string {
  const g = r.guarantee;
  const claim = g.text.replace(/^guarantee\s+[^:]+:\s*/, "").replaceAll(/\s+/g, " ");
  const head = `this change breaks guarantee ${g.name} (${formatPosition(g.source)}): ${claim}`;
  const x = r.counterexample;
  if (!x) return head;
  if (!x.dst || !x.conn) return `${head} — counterexample: ${formatEndpoint(x.src)} would not be isolated`;
  const why = x.explanation
    ? explanationText(x.explanation, name(x.src), name(x.dst), {
        protocol: x.conn.protocol,
        port: x.conn.port,
      })
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .map((l) => (/[:;.,]$/.test(l) ? l : `${l};`))
        .join(" ")
        .replace(/;$/, "")
    : "";
  return `${head} — counterexample: ${formatEndpoint(x.src)} → ${formatEndpoint(x.dst)} on ${x.conn.protocol}/${x.conn.port} would be ${x.allowed ? "allowed" : "denied"}${why ? ` (${why})` : ""}`;
}

/** The AdmissionReview to send back. */
export function reviewResponse(uid: string, a: Omit<Answer, "verdict">): unknown {
  return {
    apiVersion: API_VERSION,
    kind: "AdmissionReview",
    response: {
      uid,
      allowed: a.allowed,
      ...(a.code !== undefined || a.message !== undefined
        ? {
            status: {
              code: a.code ?? (a.allowed ? 200 : 403),
              ...(a.reason ? { reason: a.reason } : {}),
              message: a.message ?? "",
            },
          }
        : {}),
      ...(a.warnings.length > 0 ? { warnings: a.warnings } : {}),
      ...(a.auditAnnotations ? { auditAnnotations: a.auditAnnotations } : {}),
    },
  };
}

/** The answer to an object that does not validate (the API server would normally have refused it). */
export function invalidAnswer(diagnostics: readonly Diagnostic[], mode: Mode): Answer {
  const text = diagnostics
    .map((d) => `${d.code} ${d.source ? `${formatPosition(d.source)}: ` : ""}${d.message}`)
    .join("\n");
  if (mode === "enforce")
    return {
      allowed: false,
      code: 422,
      reason: "Invalid",
      message: `netpolc: the object is invalid:\n${text}`,
      warnings: [],
      verdict: "invalid",
    };
  return {
    allowed: true,
    warnings: diagnostics.slice(0, MAX_WARNINGS).map((d) => warning(`netpolc ${d.code}: ${d.message}`)),
    verdict: "invalid",
  };
}
