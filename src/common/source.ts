/**
 * Provenance: where a thing came from. Every parsed object, every compiled rule and every
 * diagnostic carries one, so that answers can name file:line:column and the object.
 */

/** A point in an input file. Lines and columns are 1-based, as editors show them. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The Kubernetes object a thing belongs to: `Kind ns/name` (namespace absent for cluster-scoped kinds). */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** Provenance of a model node: the position, the owning object and the JSON path inside it. */
export interface SourceRef extends SourcePosition {
  readonly object?: ObjectRef | undefined;
  /** JSON path inside the object, e.g. `spec.ingress[0].from[1]`. */
  readonly path?: string | undefined;
}

/** `Kind ns/name` or `Kind name`, the form used in every message. */
export function formatObjectRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** `file:line:column`. */
export function formatPosition(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

/** Renders a JSON path (`["spec","ingress",0]`) the way kubectl does (`spec.ingress[0]`). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  return out;
}
