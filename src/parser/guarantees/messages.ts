/**
 * Syntax error messages in words: "expected `to` after `pods(app=x)`, found `on`", instead of
 * chevrotain's dump of token names and lookahead paths. Token labels (tokens.ts) say what each token
 * is called in a message.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import { closest } from "../suggest.js";
import { Identifier, KEYWORDS_OF, NextStatement } from "./tokens.js";

const MAX_IMAGE = 40;

export function describeExpected(type: TokenType): string {
  if (type === EOF) return "the end of the input";
  return type.LABEL ?? type.name;
}

export function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the input";
  if (token.tokenType === NextStatement) return "the next statement";
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

function firstTypes(paths: readonly (readonly TokenType[])[]): TokenType[] {
  return paths.flatMap((path) => (path[0] ? [path[0]] : []));
}

/** "expected X after P, found A", and "did you mean" when A is a plain word close to an expected keyword. */
function message(
  expected: string,
  types: readonly TokenType[],
  actual: IToken | undefined,
  previous: IToken | undefined,
): string {
  const found = actual ? `, found ${describeFound(actual)}` : "";
  const text = `expected ${expected}${after(previous)}${found}`;
  if (actual?.tokenType !== Identifier) return text;
  const guess = closest(
    actual.image,
    types.flatMap((t) => KEYWORDS_OF.get(t) ?? []),
  );
  return guess ? `${text}; did you mean \`${guess}\`?` : text;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous }) =>
    message(describeExpected(expected), [expected], actual, previous),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeFound(firstRedundant)}: expected the end of the input`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, previous, customUserDescription }) => {
    const types = firstTypes(expectedPathsPerAlt.flat());
    return message(
      customUserDescription ?? alternatives(types.map(describeExpected)),
      types,
      actual[0],
      previous,
    );
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, previous, customUserDescription }) => {
    const types = firstTypes(expectedIterationPaths);
    return message(
      customUserDescription ?? alternatives(types.map(describeExpected)),
      types,
      actual[0],
      previous,
    );
  },
};
