/**
 * The Kubernetes objects of one document: the root mapping, or the items of a `List`, `PodList`, ...
 * (any kind ending in `List` with an `items` list, as `kubectl get -o yaml|json` prints). Items of typed
 * lists may omit apiVersion and kind; they are inferred from the list (`PodList` → `v1` `Pod`).
 */
import type { ComposedDocument, DuplicateKey } from "./compose.js";
import { itemKindOf } from "./kinds.js";
import { findSlot, isPlainObject, type PathSegment, slotCount } from "./positions.js";
import type { Candidate } from "./validate.js";

/** A candidate and its path inside the document. */
export interface Found {
  readonly prefix: readonly PathSegment[];
  readonly candidate: Candidate;
}

export interface Candidates {
  readonly found: readonly Found[];
  /** Offsets of list items that are not mappings. */
  readonly notObjects: readonly number[];
  /** Duplicate keys outside every candidate (in a list's own fields): the document is rejected. */
  readonly strayDuplicates: readonly DuplicateKey[];
}

export function collectCandidates(doc: ComposedDocument, root: Record<string, unknown>): Candidates {
  const found: Found[] = [];
  const notObjects: number[] = [];
  collect(doc, root, doc.slot, [], undefined, found, notObjects);
  return { found, notObjects, strayDuplicates: assignProblems(doc, found) };
}

function collect(
  doc: ComposedDocument,
  value: Record<string, unknown>,
  slot: number,
  prefix: readonly PathSegment[],
  inherited: { apiVersion?: string | undefined; kind: string } | undefined,
  found: Found[],
  notObjects: number[],
): void {
  const kind = typeof value.kind === "string" ? value.kind : inherited?.kind;
  if (kind?.endsWith("List") && Array.isArray(value.items)) {
    const itemKind = itemKindOf(kind);
    const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : inherited?.apiVersion;
    const next = itemKind ? { kind: itemKind, apiVersion } : undefined;
    let s = findSlot(value, slot, ["items"]).index + 1;
    value.items.forEach((item: unknown, i) => {
      if (isPlainObject(item)) collect(doc, item, s, [...prefix, "items", i], next, found, notObjects);
      else notObjects.push(doc.table.entryAt(s));
      s += slotCount(item);
    });
    return;
  }
  const { apiVersion, kind: inferredKind } = inherited ?? {};
  const candidate = {
    body: value,
    table: doc.table,
    slot,
    apiVersion,
    kind: inferredKind,
    duplicates: [],
    yaml11: [],
    hasNull: doc.hasNull,
  };
  found.push({ prefix, candidate });
}

/** Gives each candidate the duplicate keys and YAML 1.1 scalars inside it (paths made relative). */
function assignProblems(doc: ComposedDocument, found: readonly Found[]): DuplicateKey[] {
  if (doc.duplicates.length === 0 && doc.yaml11.length === 0) return [];
  const byPrefix = new Map(found.map((f) => [JSON.stringify(f.prefix), f]));
  const owner = (path: readonly PathSegment[]): Found | undefined => {
    for (let n = path.length - (path.length % 2); n >= 0; n -= 2) {
      const hit = byPrefix.get(JSON.stringify(path.slice(0, n)));
      if (hit) return hit;
    }
    return undefined;
  };
  const stray: DuplicateKey[] = [];
  for (const d of doc.duplicates) {
    const o = owner(d.path);
    if (o) o.candidate.duplicates.push({ ...d, path: d.path.slice(o.prefix.length) });
    else stray.push(d);
  }
  for (const s of doc.yaml11) {
    const o = owner(s.path);
    if (o) o.candidate.yaml11.push({ ...s, path: s.path.slice(o.prefix.length) });
  }
  return stray;
}
