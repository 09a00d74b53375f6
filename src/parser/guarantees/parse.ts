/**
 * The guarantee parser's entry points. They never throw: every problem is a diagnostic, and a
 * statement with an error is left out of the result while the following statements are still read.
 */
import { type CstNode, EOF, type IRecognitionException, type IToken } from "chevrotain";
import { type Diagnostic, diagnostic, hasErrors, type SourcePosition } from "../../common/index.js";
import type { Claim, Guarantee, GuaranteeFile, PortSpec, SetExpr } from "./ast.js";
import { buildClaim, buildPorts, buildSet, buildStatementHead } from "./build.js";
import { type BuildContext, one, position, report } from "./context.js";
import type { ClaimInputCstNode, PortsInputCstNode, SetInputCstNode, StatementInputCstNode } from "./cst.js";
import { guaranteeParser } from "./grammar.js";
import { bracketHint, lex, nextStatement, statementStarts, statementText, tooDeep } from "./lex.js";
import { NextStatement } from "./tokens.js";

const DEFAULT_FILE = "<input>";

/**
 * Parses a file of guarantees.
 * 1. Lex the whole text; cut the tokens into statements where a `guarantee` starts one (lex.ts).
 * 2. Per statement: report its lexical errors, parse it, build its AST with checks.
 * 3. Keep it only if no step found an error and its name is new in the file.
 */
export function parseGuarantees(
  text: string,
  file: string,
): { file: GuaranteeFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const { tokens, errors } = lex(text, file);
  const starts = statementStarts(tokens);
  if (tokens.length === 0) diagnostics.push(...errors.map((e) => e.diagnostic));
  else if (starts[0] !== 0) starts.unshift(0);
  const guarantees: Guarantee[] = [];
  const firstByName = new Map<string, SourcePosition>();
  let nextError = 0;
  starts.forEach((start, k) => {
    const end = starts[k + 1] ?? tokens.length;
    const statement = tokens.slice(start, end);
    // Lexical errors before the next statement's first token belong to this one (both are sorted).
    const until = tokens[end]?.startOffset ?? Number.POSITIVE_INFINITY;
    const lexical: Diagnostic[] = [];
    while (nextError < errors.length && errors[nextError]!.offset < until)
      lexical.push(errors[nextError++]!.diagnostic);
    diagnostics.push(...lexical);
    const ctx: BuildContext = { file, diagnostics: [] };
    const next = tokens[end];
    const input = next ? [...statement, nextStatement(next)] : statement;
    const cst = run(
      ctx,
      input,
      lexical.length > 0,
      () => guaranteeParser().statementInput() as StatementInputCstNode,
    );
    const head =
      cst && lexical.length === 0 ? buildStatementHead(ctx, one(cst.children.statement)) : undefined;
    diagnostics.push(...ctx.diagnostics);
    if (!head || hasErrors(ctx.diagnostics)) return;
    const first = firstByName.get(head.name);
    if (first) {
      diagnostics.push(
        diagnostic(
          "NP4005",
          "error",
          `duplicate guarantee name \`${head.name}\`: first defined at ${first.line}:${first.column}`,
          { source: position(ctx, head.nameToken), hint: "guarantee names are unique within a file" },
        ),
      );
      return;
    }
    const source = position(ctx, one(statement));
    firstByName.set(head.name, source);
    guarantees.push({ name: head.name, claim: head.claim, text: statementText(statement), source });
  });
  return { file: { file, guarantees }, diagnostics };
}

/** One claim, e.g. a REPL query: `allow from pods(app=a) to pods(app=b) on tcp/80`. */
export function parseClaim(text: string, file = DEFAULT_FILE): { claim?: Claim; diagnostics: Diagnostic[] } {
  const { value, diagnostics } = parseFragment(
    text,
    file,
    () => guaranteeParser().claimInput() as ClaimInputCstNode,
    (ctx, cst) => buildClaim(ctx, one(cst.children.claim)),
  );
  return value ? { claim: value, diagnostics } : { diagnostics };
}

/** One set expression: `pods(app=a) in namespace prod or 10.0.0.0/8`. */
export function parseSetExpr(
  text: string,
  file = DEFAULT_FILE,
): { set?: SetExpr; diagnostics: Diagnostic[] } {
  const { value, diagnostics } = parseFragment(
    text,
    file,
    () => guaranteeParser().setInput() as SetInputCstNode,
    (ctx, cst) => buildSet(ctx, one(cst.children.setExpr)),
  );
  return value ? { set: value, diagnostics } : { diagnostics };
}

/** One port list: `tcp/80, udp/53`. */
export function parsePortSpecs(
  text: string,
  file = DEFAULT_FILE,
): { ports?: PortSpec[]; diagnostics: Diagnostic[] } {
  const { value, diagnostics } = parseFragment(
    text,
    file,
    () => guaranteeParser().portsInput() as PortsInputCstNode,
    (ctx, cst) => buildPorts(ctx, one(cst.children.portList)),
  );
  return value ? { ports: value, diagnostics } : { diagnostics };
}

function parseFragment<N extends CstNode, R>(
  text: string,
  file: string,
  rule: () => N,
  build: (ctx: BuildContext, cst: N) => R,
): { value?: R; diagnostics: Diagnostic[] } {
  const { tokens, errors } = lex(text, file);
  const ctx: BuildContext = { file, diagnostics: errors.map((e) => e.diagnostic) };
  const cst = run(ctx, [...tokens], errors.length > 0, rule);
  if (!cst || errors.length > 0) return { diagnostics: ctx.diagnostics };
  const value = build(ctx, cst);
  return hasErrors(ctx.diagnostics)
    ? { diagnostics: ctx.diagnostics }
    : { value, diagnostics: ctx.diagnostics };
}

/**
 * Parses `input` with one of the grammar's entry rules; returns its CST only when complete. Too
 * deep nesting is refused before parsing (NP4008). A syntax error is reported as NP4001, unless
 * `quiet`: a lexical error in the same input explains it better.
 */
function run<N extends CstNode>(
  ctx: BuildContext,
  input: IToken[],
  quiet: boolean,
  rule: () => N,
): N | undefined {
  const deep = tooDeep(input);
  if (deep) {
    report(ctx, "NP4008", deep.token, deep.message, "split the expression, e.g. into several guarantees");
    return undefined;
  }
  guaranteeParser().input = input;
  const cst = rule();
  const error = guaranteeParser().errors[0];
  guaranteeParser().input = [];
  if (!error) return cst;
  if (!quiet) ctx.diagnostics.push(syntaxError(ctx, error, input));
  return undefined;
}

/** NP4001 at the unexpected token, or just after the last token when the statement ended too early. */
function syntaxError(ctx: BuildContext, error: IRecognitionException, input: readonly IToken[]): Diagnostic {
  const token = error.token;
  const atEnd = token.tokenType === EOF || token.tokenType === NextStatement;
  const last = input.findLast((t) => t.tokenType !== NextStatement);
  const source: SourcePosition = !atEnd
    ? position(ctx, token)
    : last
      ? { file: ctx.file, line: last.endLine ?? 1, column: (last.endColumn ?? 0) + 1 }
      : { file: ctx.file, line: 1, column: 1 };
  return diagnostic("NP4001", "error", error.message, {
    source,
    hint: bracketHint(input, token.tokenType === EOF ? undefined : token),
  });
}
