/** Answers as text (coloured when asked: verdict words, errors and carets) or as one JSON line. */
import type { Answer } from "./answer.js";
import { formatQueryError } from "./query-error.js";

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(color: boolean, style: keyof typeof CODES, text: string): string {
  return color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

const WORD_STYLE: Readonly<Record<string, keyof typeof CODES>> = {
  yes: "green",
  allowed: "green",
  no: "red",
  denied: "red",
  partial: "yellow",
  unknown: "yellow",
  "✓": "green",
  "✗": "red",
  "?": "yellow",
  "+": "green",
  "-": "red",
  "~": "yellow",
};

function colourLine(line: string): string {
  const m = /^(\s*)(yes|no|partial|unknown|allowed|denied|✓|✗|\?|\+|-|~)(:|\s)/.exec(line);
  if (!m) return line;
  const style = WORD_STYLE[m[2]!]!;
  return `${m[1]}${paint(true, style, m[2]!)}${line.slice(m[1]!.length + m[2]!.length)}`;
}

export function renderText(query: string, a: Answer, color: boolean): string {
  if (a.error) {
    const lines = formatQueryError(query, a.error);
    if (!color) return lines.join("\n");
    return lines
      .map((l) =>
        /^\s*\^+$/.test(l)
          ? paint(true, "red", l)
          : l.replace(/\berror (NP\d+)/, (m) => paint(true, "red", m)),
      )
      .join("\n");
  }
  return (color ? a.lines.map(colourLine) : a.lines).join("\n");
}

export function renderJson(a: Answer): string {
  return JSON.stringify(a.json);
}
