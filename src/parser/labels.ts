/**
 * Object names, label maps and label selectors (metav1.LabelSelector), checked as the API server's
 * ValidateObjectMeta / ValidateLabels / ValidateLabelSelector do. Types were checked by the schema already; these checks
 * look only at values of the right type.
 *
 * Selector meaning, for reference (the model interprets it): a requirement list is ANDed with
 * matchLabels; an empty selector `{}` selects everything; In/NotIn need at least one value,
 * Exists/DoesNotExist take none.
 */
import type { NameRule } from "./kinds.js";
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from "./names.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

/** metadata.name (required; format per kind) and metadata.namespace (a DNS-1123 label). */
export function checkNames(
  r: Report,
  meta: Record<string, unknown>,
  rule: NameRule,
  namespaced: boolean,
): void {
  const name = meta.name;
  if (typeof name !== "string" || name === "") {
    const hint =
      typeof meta.generateName === "string"
        ? "netpolc needs a fixed name; generateName is not supported"
        : undefined;
    r.error("NP2002", ["metadata", "name"], "required field is missing", hint);
  } else {
    const bad =
      rule === "dns-label"
        ? dns1123Label(name)
        : rule === "dns-1035-label"
          ? dns1035Label(name)
          : rule === "dns-subdomain"
            ? dns1123Subdomain(name)
            : undefined;
    if (bad) r.error("NP2013", ["metadata", "name"], `invalid name ${JSON.stringify(name)}: ${bad}`);
  }
  if (!namespaced || typeof meta.namespace !== "string" || rule === "any") return;
  const bad = dns1123Label(meta.namespace);
  if (bad)
    r.error(
      "NP2013",
      ["metadata", "namespace"],
      `invalid namespace ${JSON.stringify(meta.namespace)}: ${bad}`,
    );
}

export function checkLabels(r: Report, labels: unknown, path: readonly PathSegment[]): void {
  if (!isPlainObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const bad = qualifiedName(key);
    if (bad) r.error("NP2006", [...path, key], `invalid label key ${JSON.stringify(key)}: ${bad}`);
    if (typeof value !== "string") continue;
    const badValue = labelValue(value);
    if (badValue)
      r.error("NP2006", [...path, key], `invalid label value ${JSON.stringify(value)}: ${badValue}`);
  }
}

export function checkSelector(r: Report, selector: unknown, path: readonly PathSegment[]): void {
  if (!isPlainObject(selector)) return;
  checkLabels(r, selector.matchLabels, [...path, "matchLabels"]);
  const exprs = selector.matchExpressions;
  if (!Array.isArray(exprs)) return;
  exprs.forEach((req: unknown, i) => {
    if (!isPlainObject(req)) return;
    const at = [...path, "matchExpressions", i];
    if (typeof req.key === "string") {
      const bad = qualifiedName(req.key);
      if (bad) r.error("NP2006", [...at, "key"], `invalid label key ${JSON.stringify(req.key)}: ${bad}`);
    }
    const values = Array.isArray(req.values) ? req.values : [];
    const op = req.operator;
    if (typeof op === "string" && !OPERATORS.includes(op)) {
      const near = OPERATORS.find((o) => o.toLowerCase() === op.toLowerCase());
      r.error(
        "NP2005",
        [...at, "operator"],
        `operator ${JSON.stringify(op)} is not one of ${OPERATORS.join(", ")}`,
        near ? `operators are case-sensitive: use ${near}` : undefined,
      );
    } else if ((op === "In" || op === "NotIn") && values.length === 0)
      r.error(
        "NP2005",
        [...at, "values"],
        `operator ${op} needs at least one value`,
        "an empty In would select nothing; the API server rejects it",
      );
    else if ((op === "Exists" || op === "DoesNotExist") && values.length > 0)
      r.error(
        "NP2005",
        [...at, "values"],
        `operator ${op} takes no values`,
        "remove values, or use In/NotIn",
      );
    values.forEach((v: unknown, j) => {
      if (typeof v !== "string") return;
      const bad = labelValue(v);
      if (bad) r.error("NP2006", [...at, "values", j], `invalid label value ${JSON.stringify(v)}: ${bad}`);
    });
  });
}

/** Whether a well-formed selector selects `labels` (used to check a workload's selector against its template). */
export function selectorMatches(
  selector: Record<string, unknown>,
  labels: Readonly<Record<string, unknown>>,
): boolean {
  const ml = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const req of exprs) {
    if (!isPlainObject(req) || typeof req.key !== "string") continue;
    const has = Object.hasOwn(labels, req.key);
    const values = Array.isArray(req.values) ? req.values : [];
    const inValues = has && values.includes(labels[req.key]);
    const ok =
      req.operator === "In"
        ? inValues
        : req.operator === "NotIn"
          ? !inValues
          : req.operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}
