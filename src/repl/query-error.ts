/**
 * Errors in a query, pointing at the offending token. A query's text may span several lines (multi-line
 * input); positions are offsets into that text, shown as line:column with a caret under the token.
 */
import { type Diagnostic, type DiagnosticCode, diagnostic, type SourcePosition } from "../common/index.js";

/** A half-open range of offsets into the query text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export const QUERY_FILE = "<query>";

export interface QueryError {
  readonly diagnostic: Diagnostic;
  /** The offending token; undefined when the whole query is at fault. */
  readonly span?: Span | undefined;
}

export function queryError(
  code: DiagnosticCode,
  message: string,
  span: Span | undefined,
  hint?: string,
): QueryError {
  return { diagnostic: diagnostic(code, "error", message, { hint }), span };
}

/** Line and column (1-based) of an offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  return { line, column: offset - start + 1 };
}

/** The offset of a line:column of `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + column - 1);
}

/**
 * Diagnostics of the guarantee parser run on `text.slice(base)`, moved to the whole query's offsets.
 * The span covers the word at the reported position.
 */
export function fromFragment(query: string, base: number, fragment: string, d: Diagnostic): QueryError {
  const at = d.source as SourcePosition | undefined;
  if (!at) return { diagnostic: d };
  const local = offsetOf(fragment, at.line, at.column);
  const start = base + local;
  return { diagnostic: { ...d, source: undefined }, span: { start, end: wordEnd(query, start) } };
}

/** The end of the token starting at `start`: a run of name characters, or one other character. */
export function wordEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && /[A-Za-z0-9_./:\-[\]=!]/.test(text[end]!)) end++;
  return Math.max(end, Math.min(start + 1, text.length));
}

/**
 * The error as text: `line:col: error CODE: message`, the query line with a caret under the token,
 * and the hint.
 */
export function formatQueryError(text: string, e: QueryError): string[] {
  const d = e.diagnostic;
  const lines: string[] = [];
  if (e.span) {
    const { line, column } = positionOf(text, e.span.start);
    const source = text.split("\n")[line - 1] ?? "";
    const width = Math.max(1, Math.min(e.span.end, e.span.start + source.length) - e.span.start);
    lines.push(`  ${source}`, `  ${" ".repeat(column - 1)}${"^".repeat(width)}`);
    lines.push(`${line}:${column}: ${d.severity} ${d.code}: ${d.message}`);
  } else lines.push(`${d.severity} ${d.code}: ${d.message}`);
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines;
}
