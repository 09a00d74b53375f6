/**
 * What the CST-to-AST builder carries: the file name for positions and the diagnostics it collects.
 * A builder function never throws on bad input; it reports and returns its best value, and parse.ts
 * drops a statement that produced an error.
 */
import type { CstNode, IToken } from "chevrotain";
import { type Diagnostic, type DiagnosticCode, diagnostic, type SourcePosition } from "../../common/index.js";

export interface BuildContext {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
}

export function position(ctx: BuildContext, token: IToken): SourcePosition {
  return { file: ctx.file, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
}

/** Where a CST node starts: its first token, parentheses included (`(a) or b` starts at `(`). */
export function nodePosition(ctx: BuildContext, node: CstNode): SourcePosition {
  const line = node.location?.startLine;
  const column = node.location?.startColumn;
  return {
    file: ctx.file,
    line: Number.isFinite(line) ? line! : 1,
    column: Number.isFinite(column) ? column! : 1,
  };
}

export function report(
  ctx: BuildContext,
  code: DiagnosticCode,
  token: IToken,
  message: string,
  hint?: string,
): void {
  ctx.diagnostics.push(diagnostic(code, "error", message, { source: position(ctx, token), hint }));
}

/** The one element a complete CST node always has in this child list (parse.ts builds only complete trees). */
export function one<T>(items: readonly (T | undefined)[] | undefined): T {
  const item = items?.[0];
  if (item === undefined) throw new Error("guarantee parser: incomplete CST node (a bug)");
  return item;
}
