/**
 * Tokens of an `nft -f` file: words, strings, `{ } ; ,` and newlines (which end statements).
 * A comma inside a word stays (`established,related`); one ending a word is its own token.
 */
export interface Token {
  readonly text: string;
  readonly line: number;
  readonly kind: "word" | "string" | "punct" | "nl";
}

export function lexNft(content: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  const n = content.length;
  while (i < n) {
    const ch = content[i]!;
    if (ch === "\n") {
      out.push({ text: "\n", line, kind: "nl" });
      line++;
      i++;
    } else if (ch === " " || ch === "\t" || ch === "\r") i++;
    else if (ch === "#") {
      while (i < n && content[i] !== "\n") i++;
    } else if (ch === '"') {
      const end = content.indexOf('"', i + 1);
      if (end < 0 || content.slice(i, end).includes("\n")) throw new LexError(line, "unterminated string");
      out.push({ text: content.slice(i + 1, end), line, kind: "string" });
      i = end + 1;
    } else if (ch === "{" || ch === "}" || ch === ";" || ch === ",") {
      out.push({ text: ch, line, kind: "punct" });
      i++;
    } else {
      let j = i;
      while (j < n && !' \t\r\n{};"'.includes(content[j]!)) j++;
      let word = content.slice(i, j);
      let trailing = false;
      if (word.endsWith(",")) {
        word = word.slice(0, -1);
        trailing = true;
      }
      if (word !== "") out.push({ text: word, line, kind: "word" });
      if (trailing) out.push({ text: ",", line, kind: "punct" });
      i = j;
    }
  }
  return out;
}

export class LexError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(detail);
  }
}
