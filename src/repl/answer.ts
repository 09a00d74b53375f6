/**
 * An answer to one query: a verdict (which decides the exit code in non-interactive use), text
 * lines, and a JSON object (`--json`: one object per line).
 */
import type { QueryError } from "./query-error.js";

/**
 * | verdict   | meaning                                                    | exit |
 * |-----------|------------------------------------------------------------|------|
 * | `yes`     | allowed / holds / nothing changed                           | 0    |
 * | `info`    | a listing or description (`who`, `show`, `undo`, …)         | 0    |
 * | `partial` | part of the asked connections allowed, or undecided         | 1    |
 * | `no`      | denied / fails / the change alters connectivity             | 1    |
 * | `error`   | the query could not be answered (syntax, unknown name, …)   | 2    |
 */
export type Verdict = "yes" | "no" | "partial" | "info" | "error";

export const EXIT_OF: Readonly<Record<Verdict, number>> = { yes: 0, info: 0, partial: 1, no: 1, error: 2 };

export interface Answer {
  readonly verdict: Verdict;
  readonly lines: readonly string[];
  readonly json: Readonly<Record<string, unknown>>;
  /** Set for `error` answers: the error with the span of the offending token. */
  readonly error?: QueryError | undefined;
}

export function info(query: string, lines: readonly string[], json: Record<string, unknown> = {}): Answer {
  return { verdict: "info", lines, json: { query, verdict: "info", ...json } };
}

export function errorAnswer(query: string, e: QueryError): Answer {
  const d = e.diagnostic;
  return {
    verdict: "error",
    lines: [],
    json: {
      query,
      verdict: "error",
      error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) },
      ...(e.span ? { span: { start: e.span.start, end: e.span.end } } : {}),
    },
    error: e,
  };
}
