/**
 * Lexing, and the token-level facts parse.ts needs before parsing: lexical errors as diagnostics,
 * where statements start, how deep brackets nest, and a statement's text without comments.
 */
import type { IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../../common/index.js";
import { describeFound } from "./messages.js";
import * as T from "./tokens.js";

/** Deeper nesting is refused (NP4008): the parser and the solver recurse once per level. */
export const MAX_NESTING = 200;
export const MAX_OPERATORS = 1000;

export interface LexResult {
  readonly tokens: readonly IToken[];
  /** Lexical errors (NP4007), each with the offset it starts at. */
  readonly errors: readonly { readonly offset: number; readonly diagnostic: Diagnostic }[];
}

export function lex(text: string, file: string): LexResult {
  const result = T.guaranteeLexer().tokenize(text);
  const errors = result.errors.map((e) => {
    const chars = text.slice(e.offset, e.offset + (e.length || 1));
    return {
      offset: e.offset,
      diagnostic: diagnostic(
        "NP4007",
        "error",
        `unexpected character${chars.length > 1 ? "s" : ""} \`${chars}\``,
        {
          source: { file, line: e.line ?? 1, column: e.column ?? 1 },
          hint: "names use letters, digits, '-', '_', '.' and '/'; comments start with '#'",
        },
      ),
    };
  });
  for (const t of result.groups.unterminated ?? [])
    errors.push({
      offset: t.startOffset,
      diagnostic: diagnostic("NP4007", "error", 'unterminated string: missing the closing `"`', {
        source: { file, line: t.startLine ?? 1, column: t.startColumn ?? 1 },
        hint: "a string ends on the line it starts",
      }),
    });
  errors.sort((a, b) => a.offset - b.offset);
  return { tokens: result.tokens, errors };
}

/**
 * Where statements start: at a `guarantee` keyword, unless the keyword is used as a word — a
 * guarantee's name, a namespace name, a label key or value — which it is only right after one of
 * `guarantee`, `namespace`, `(`, `,`, `!`, `=`, `==`, `!=`. `guarantee NAME :` always starts one.
 * Decided on tokens alone, so one broken statement never hides the next.
 */
export function statementStarts(tokens: readonly IToken[]): number[] {
  const WORD_CONTEXT = [T.Guarantee, T.Namespace, T.LParen, T.Comma, T.Bang, T.Eq, T.EqEq, T.NotEq];
  const starts: number[] = [];
  tokens.forEach((token, i) => {
    if (token.tokenType !== T.Guarantee) return;
    const previous = tokens[i - 1]?.tokenType;
    const head = tokens[i + 2]?.tokenType === T.Colon;
    if (i === 0 || head || !WORD_CONTEXT.includes(previous!)) starts.push(i);
  });
  return starts;
}

/**
 * The first token that makes a statement too deep: a `(` nested more than MAX_NESTING levels, or
 * the set operator after the first MAX_OPERATORS (an `or` chain is a left-deep tree that every
 * later stage walks recursively). `in (` of a label selector is no set operator.
 */
export function tooDeep(tokens: readonly IToken[]): { token: IToken; message: string } | undefined {
  const OPERATORS = [T.Or, T.And, T.Except, T.Not, T.In];
  let depth = 0;
  let operators = 0;
  for (const [i, token] of tokens.entries()) {
    if (token.tokenType === T.LParen && ++depth > MAX_NESTING)
      return { token, message: `parentheses nested more than ${MAX_NESTING} levels deep` };
    if (token.tokenType === T.RParen && depth > 0) depth--;
    const selectorIn = token.tokenType === T.In && tokens[i + 1]?.tokenType === T.LParen;
    if (OPERATORS.includes(token.tokenType) && !selectorIn && ++operators > MAX_OPERATORS)
      return {
        token,
        message: `more than ${MAX_OPERATORS} set operators (\`or\`, \`and\`, \`except\`, \`not\`, \`in\`)`,
      };
  }
  return undefined;
}

/**
 * Unbalanced brackets at a syntax error at `at` (undefined: the end of the input), as a hint: the
 * parser itself only names the token it did not expect.
 */
export function bracketHint(tokens: readonly IToken[], at: IToken | undefined): string | undefined {
  const open: IToken[] = [];
  for (const token of tokens) {
    if (token === at) break;
    if (token.tokenType === T.LParen || token.tokenType === T.LBrace) open.push(token);
    else if (token.tokenType === T.RParen || token.tokenType === T.RBrace) open.pop();
  }
  const top = open[open.length - 1];
  if (at && (at.tokenType === T.RParen || at.tokenType === T.RBrace)) {
    const wanted = at.tokenType === T.RParen ? T.LParen : T.LBrace;
    if (top?.tokenType === wanted) return undefined;
    return `${describeFound(at)} has no matching ${wanted === T.LParen ? "`(`" : "`{`"}`;
  }
  if (!top) return undefined;
  const where = `${describeFound(top)} at ${top.startLine}:${top.startColumn}`;
  return !at || at.tokenType === T.NextStatement ? `${where} is never closed` : `${where} is still open here`;
}

/** A stand-in for the next statement's first token, to end a statement's tokens (grammar.ts, statementInput). */
export function nextStatement(next: IToken): IToken {
  return { ...next, tokenType: T.NextStatement, tokenTypeIdx: T.NextStatement.tokenTypeIdx! };
}

/** The statement as written, comments removed and each run of spaces and line breaks made one space. */
export function statementText(tokens: readonly IToken[]): string {
  let text = "";
  let end = -1;
  for (const token of tokens) {
    if (text !== "" && token.startOffset > end + 1) text += " ";
    text += token.image;
    end = token.endOffset ?? token.startOffset + token.image.length - 1;
  }
  return text;
}
