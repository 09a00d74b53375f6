/**
 * Reading an object the way the API server's decoder does, before validation. Only meaning-preserving
 * rewrites: JSON `null` in a mapping is "absent" (and `""` in a map of strings), `namespace: ""` is the
 * default namespace, `podSelector: null` is the empty selector (a struct, not a pointer, in Go), a
 * Service port's `targetPort: 0` or `""` is absent (defaulted to `port`), and a plain scalar in a
 * place that needs a boolean or a number takes its YAML 1.1 reading.
 */

import { formatPath } from "../common/index.js";
import type { Yaml11Scalar } from "./compose.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";
import type { TypeRepair } from "./schema.js";
import { fitsType } from "./yaml11.js";

/** Maps of strings, where Go decodes `null` as the empty string rather than "absent". */
const STRING_MAPS = new Set(["labels", "matchLabels", "annotations"]);

export function readAsDecoded(kind: string, body: Record<string, unknown>, hasNull: boolean): void {
  // Upstream conformance manifests write `podSelector:` with no value; only a missing one is reported.
  if (kind === "NetworkPolicy" && isPlainObject(body.spec) && body.spec.podSelector === null)
    body.spec.podSelector = {};
  if (hasNull) nullMeansAbsent(body);
  if (kind === "Service" && isPlainObject(body.spec)) readServiceSpec(body.spec);
}

/**
 * SetDefaults_Service: a targetPort of 0 or "" is the port itself, as if absent. The selector is a
 * map of strings, where `null` decodes as "".
 */
function readServiceSpec(spec: Record<string, unknown>): void {
  if (Array.isArray(spec.ports))
    for (const p of spec.ports)
      if (isPlainObject(p) && (p.targetPort === 0 || p.targetPort === "")) p.targetPort = undefined;
  if (isPlainObject(spec.selector))
    for (const k of Object.keys(spec.selector)) if (spec.selector[k] === undefined) spec.selector[k] = "";
}

function nullMeansAbsent(v: unknown, key?: string): void {
  if (Array.isArray(v)) for (const item of v) nullMeansAbsent(item);
  else if (isPlainObject(v)) {
    const empty = key !== undefined && STRING_MAPS.has(key) ? "" : undefined;
    for (const k of Object.keys(v)) {
      if (v[k] === null) v[k] = empty;
      else nullMeansAbsent(v[k], k);
    }
    if (isPlainObject(v.metadata) && v.metadata.namespace === "") v.metadata.namespace = undefined;
  }
}

/**
 * A schema type error at a plain scalar whose YAML 1.1 reading has the expected type (`hostNetwork:
 * yes`) is not an error for the API server: take that reading, warn (NP1008), and record it in
 * `repaired`.
 */
export function yaml11Repair(
  body: Record<string, unknown>,
  scalars: readonly Yaml11Scalar[],
  r: Report,
  repaired: Set<Yaml11Scalar>,
): TypeRepair {
  const byPath = new Map(scalars.filter((s) => !s.isKey).map((s) => [formatPath(s.path), s]));
  return (path, expected) => {
    const s = byPath.size > 0 ? byPath.get(formatPath(path)) : undefined;
    if (!s || !fitsType(s.yaml11, expected) || !setAt(body, path, s.yaml11)) return false;
    repaired.add(s);
    const what = `plain scalar ${s.text} is read as ${String(s.yaml11)}, as the API server (YAML 1.1) reads it`;
    r.add("NP1008", "warning", path, what, `write ${String(s.yaml11)} to be unambiguous`, s.offset);
    return true;
  };
}

function setAt(body: unknown, path: readonly PathSegment[], value: unknown): boolean {
  let cur: unknown = body;
  for (const seg of path.slice(0, -1)) cur = (cur as Record<PathSegment, unknown> | undefined)?.[seg];
  const last = path[path.length - 1];
  if (typeof cur !== "object" || cur === null || last === undefined) return false;
  (cur as Record<PathSegment, unknown>)[last] = value;
  return true;
}
