/**
 * Per-object diagnostics collection and source lookup. A Report names its object in every message
 * (`NetworkPolicy ns/name: spec.ingress[0]: ...`) and places each diagnostic at the field it is about.
 */
import {
  type Diagnostic,
  type DiagnosticCode,
  diagnostic,
  formatObjectRef,
  formatPath,
  type ObjectRef,
  type Severity,
  type SourceRef,
} from "../common/index.js";
import type { LineIndex } from "./lines.js";
import { findSlot, type PathSegment, type PositionTable } from "./positions.js";

/** Finds positions inside one object. Holds no file text, so objects can outlive it cheaply. */
export class ObjectLocator {
  constructor(
    readonly file: string,
    private readonly lines: LineIndex,
    private readonly root: unknown,
    private readonly table: PositionTable,
    private readonly slot: number,
    public ref?: ObjectRef,
  ) {}

  /** Where `path` is introduced: the key of a mapping entry or the sequence item (or its nearest ancestor). */
  locate(path: readonly PathSegment[]): SourceRef {
    return this.at(this.table.entryAt(findSlot(this.root, this.slot, path).index), path);
  }

  /** Offset where the value at `path` starts (or where its nearest ancestor is introduced). */
  valueOffset(path: readonly PathSegment[]): number {
    const { index, matched } = findSlot(this.root, this.slot, path);
    return matched === path.length ? this.table.valueAt(index) : this.table.entryAt(index);
  }

  at(offset: number, path?: readonly PathSegment[]): SourceRef {
    const { line, column } = this.lines.at(offset);
    return {
      file: this.file,
      line,
      column,
      object: this.ref,
      path: path && path.length > 0 ? formatPath(path) : undefined,
    };
  }
}

/**
 * How much of the object an error costs, when the check that finds it knows better than the rule
 * table in loss.ts: `none` (the meaning is clear), `entry` (drop the list item at the error's path),
 * `empty` (the value at the path becomes `{}`: an unknown peer emptied, a missing selector filled),
 * or the whole `object`.
 */
export type Cost = "object" | "none" | "entry" | "empty";

/** An error found in the object, for deciding what to keep (loss.ts). */
export interface Fault {
  readonly code: DiagnosticCode;
  readonly path: readonly PathSegment[];
  readonly cost?: Cost | undefined;
}

export class Report {
  readonly diagnostics: Diagnostic[] = [];
  /** The errors among `diagnostics` (warnings never cost anything, except under `strict`). */
  readonly faults: Fault[] = [];

  constructor(
    readonly loc: ObjectLocator,
    readonly ref: ObjectRef,
    private readonly text: string,
  ) {}

  add(
    code: DiagnosticCode,
    severity: Severity,
    path: readonly PathSegment[],
    what: string,
    hint?: string,
    offset?: number,
    cost?: Cost,
  ): void {
    if (severity === "error") this.faults.push({ code, path, cost });
    const source = offset === undefined ? this.loc.locate(path) : this.loc.at(offset, path);
    const where = path.length > 0 ? `${formatPath(path)}: ` : "";
    this.diagnostics.push(
      diagnostic(code, severity, `${formatObjectRef(this.ref)}: ${where}${what}`, {
        source,
        object: this.ref,
        hint,
      }),
    );
  }

  /** An error; `cost` overrides the rule table of loss.ts (default: what the table says). */
  error(code: DiagnosticCode, path: readonly PathSegment[], what: string, hint?: string, cost?: Cost): void {
    this.add(code, "error", path, what, hint, undefined, cost);
  }

  warn(code: DiagnosticCode, path: readonly PathSegment[], what: string, hint?: string): void {
    this.add(code, "warning", path, what, hint);
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }

  /** The source text of the scalar at `path` as written (for hints such as "quote it: "0755""). */
  rawScalar(path: readonly PathSegment[], fallback: string): string {
    const start = this.loc.valueOffset(path);
    const m = /^[^\n\r#,\]}]*/.exec(this.text.slice(start, start + 200));
    const raw = m?.[0].trim() ?? "";
    return raw === "" ? fallback : raw;
  }
}

/** `kind ns/name` of a candidate body, best effort (for messages about invalid objects). */
export function refOf(kind: string, body: Record<string, unknown>, namespaced: boolean): ObjectRef {
  const meta = body.metadata;
  const m = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : {};
  const name =
    typeof m.name === "string" && m.name !== ""
      ? m.name
      : typeof m.generateName === "string"
        ? `${m.generateName}*`
        : "<unnamed>";
  const namespace =
    namespaced && typeof m.namespace === "string" && m.namespace !== "" ? m.namespace : undefined;
  return namespace === undefined ? { kind, name } : { kind, namespace, name };
}
