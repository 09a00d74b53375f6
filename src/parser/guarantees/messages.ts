/**
 * Syntax error messages in words: "expected `to` after `pods(app=x)`, found `on`", instead of
 * chevrotain's dump of token names and lookahead paths. Token labels (tokens.ts) say what each token
 * is called in a message.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";

const MAX_IMAGE = 40;

export function describeExpected(type: TokenType): string {
  if (type === EOF) return "the end of the input";
  return type.LABEL ?? type.name;
}

export function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the input";
  const image = token.image.length > MAX_IMAGE ? `${token.image.slice(0, MAX_IMAGE)}…` : token.image;
  return `\`${image}\``;
}

function after(previous: IToken | undefined): string {
  if (!previous || previous.tokenType === EOF) return "";
  return ` after ${describeFound(previous)}`;
}

/** `a`, `a or b`, `a, b or c`. */
export function alternatives(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function expectedFirst(paths: readonly (readonly TokenType[])[]): string[] {
  const out: string[] = [];
  for (const path of paths) if (path[0]) out.push(describeExpected(path[0]));
  return out;
}

function message(expected: string, actual: IToken | undefined, previous: IToken | undefined): string {
  const found = actual ? `, found ${describeFound(actual)}` : "";
  return `expected ${expected}${after(previous)}${found}`;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous }) =>
    message(describeExpected(expected), actual, previous),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeFound(firstRedundant)}: expected the end of the input`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, previous, customUserDescription }) =>
    message(
      customUserDescription ?? alternatives(expectedPathsPerAlt.flatMap(expectedFirst)),
      actual[0],
      previous,
    ),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, previous, customUserDescription }) =>
    message(
      customUserDescription ?? alternatives(expectedFirst(expectedIterationPaths)),
      actual[0],
      previous,
    ),
};
