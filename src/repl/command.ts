/**
 * The REPL's query language: a thin layer of English over the guarantee language, whose grammar
 * (src/parser/guarantees) reads every set, port list and claim inside a query.
 *
 * ```
 * can A reach B [on PORTS][?]          who can reach B [on PORTS]      what can A reach [on PORTS]
 * why [not] A -> B [[on] PORTS]        check CLAIM | check FILE        list
 * what if apply FILE                   what if delete KIND [NS/]NAME
 * what if label pod NS/NAME K=V… K-    what if label namespace NS K=V… K-
 * undo   reset   show policies [for NS/NAME]   show workload NS/NAME   .help   .exit
 * ```
 * A and B are a peer (`ns/name`, `name`, `ns/name[Kind]`, an IP address; B also a Service:
 * `svc/[ns/]name[:port]`, `ns/svc/name`, `name.ns.svc.cluster.local`, `ClusterIP[:port][/udp]`) or a
 * set of the guarantee language (`namespace backend`, `pods(app=x) in namespace y`, `external`).
 * Parsing needs no cluster: names are resolved when the query is answered.
 */
import { existsSync } from "node:fs";
import { closest } from "../parser/index.js";
import { type QueryError, queryError, type Span } from "./query-error.js";

/** A piece of the query, kept with its offsets for error positions. */
export interface Segment extends Span {
  readonly text: string;
}

export type Edit =
  | { readonly kind: "apply"; readonly file: Segment }
  | { readonly kind: "delete"; readonly objectKind: Segment; readonly name: Segment }
  | {
      readonly kind: "label";
      readonly target: "pod" | "namespace";
      readonly name: Segment;
      /** `null`: remove the label (`key-`). */
      readonly changes: readonly {
        readonly key: string;
        readonly value: string | null;
        readonly span: Span;
      }[];
    };

export type Command =
  | {
      readonly kind: "can";
      readonly from: Segment;
      readonly to: Segment;
      readonly ports?: Segment | undefined;
    }
  | { readonly kind: "who"; readonly to: Segment; readonly ports?: Segment | undefined }
  | { readonly kind: "what"; readonly from: Segment; readonly ports?: Segment | undefined }
  | {
      readonly kind: "why";
      readonly not: boolean;
      readonly from: Segment;
      readonly to: Segment;
      readonly ports?: Segment | undefined;
    }
  | { readonly kind: "whatif"; readonly edit: Edit; readonly text: string }
  | { readonly kind: "check"; readonly claim?: Segment | undefined; readonly file?: Segment | undefined }
  | { readonly kind: "show-policies"; readonly for?: Segment | undefined }
  | { readonly kind: "show-workload"; readonly name: Segment }
  | { readonly kind: "list" | "undo" | "reset" | "help" | "exit" | "empty" };

interface Word extends Segment {
  readonly lower: string;
}

/** Command words, for completion and "did you mean". */
export const COMMAND_WORDS = [
  "can",
  "who can reach",
  "what can",
  "what if",
  "why not",
  "check",
  "show policies",
  "show workload",
  "list",
  "undo",
  "reset",
  ".help",
  ".exit",
];

/**
 * Words split at spaces outside brackets and strings; `->` is a word of its own even when written
 * without spaces; a final `?` is dropped.
 */
export function words(text: string): Word[] {
  const out: Word[] = [];
  let depth = 0;
  let start = -1;
  let quoted = false;
  const end = (i: number) => {
    if (start >= 0) out.push(word(text, start, i));
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      if (start < 0) start = i;
      continue;
    }
    if (depth === 0 && ch === "-" && text[i + 1] === ">") {
      end(i);
      out.push(word(text, i, i + 2));
      i++;
      continue;
    }
    if (ch === "(" || ch === "{") depth++;
    if ((ch === ")" || ch === "}") && depth > 0) depth--;
    if (/\s/.test(ch) && depth === 0) end(i);
    else if (start < 0) start = i;
  }
  end(text.length);
  const last = out[out.length - 1];
  if (last?.text.endsWith("?")) {
    out.pop();
    if (last.text.length > 1) out.push(word(text, last.start, last.end - 1));
  }
  return out;
}

function word(text: string, start: number, end: number): Word {
  const t = text.slice(start, end);
  return { text: t, lower: t.toLowerCase(), start, end };
}

/** The text from the first to the last word (undefined when there is none). */
function join(text: string, ws: readonly Word[]): Segment | undefined {
  if (ws.length === 0) return undefined;
  const start = ws[0]!.start;
  const end = ws[ws.length - 1]!.end;
  return { text: text.slice(start, end), start, end };
}

const PORT_WORD = /^(?:(?:tcp|udp|sctp)(?:\/[A-Za-z0-9-]+)?|any|all),?$/i;

export function parseCommand(text: string): Command | QueryError {
  const ws = words(text);
  const head = ws[0];
  if (!head) return { kind: "empty" };
  const at = (i: number) => ws[i]?.lower;
  const endSpan: Span = { start: text.trimEnd().length, end: text.trimEnd().length + 1 };
  const need = (what: string, seg: Segment | undefined, after: Word): Segment | QueryError =>
    seg ?? queryError("NP9001", `expected ${what} after \`${after.text}\``, endSpan);
  switch (head.lower) {
    case ".help":
    case "help":
      return { kind: "help" };
    case ".exit":
    case "exit":
    case "quit":
    case ".quit":
      return { kind: "exit" };
    case "list":
    case "undo":
    case "reset":
      return only(ws, head.lower);
    case "can": {
      const r = find(ws, "reach", 1);
      if (r < 0) return queryError("NP9001", "expected `reach`: can A reach B [on PORTS]", endSpan);
      const from = join(text, ws.slice(1, r));
      if (!from) return queryError("NP9001", "expected a source before `reach`", ws[r]);
      const { to, ports } = splitOn(text, ws.slice(r + 1));
      const dst = need("a destination", to, ws[r]!);
      return "diagnostic" in dst ? dst : { kind: "can", from, to: dst, ports };
    }
    case "who": {
      if (at(1) !== "can" || at(2) !== "reach")
        return queryError("NP9001", "expected `who can reach B [on PORTS]`", ws[1] ?? endSpan);
      const { to, ports } = splitOn(text, ws.slice(3));
      const dst = need("a destination", to, ws[2]!);
      return "diagnostic" in dst ? dst : { kind: "who", to: dst, ports };
    }
    case "what":
      if (at(1) === "if") return parseWhatIf(text, ws);
      if (at(1) === "can") {
        const r = find(ws, "reach", 2);
        if (r < 0) return queryError("NP9001", "expected `what can A reach [on PORTS]`", endSpan);
        const from = join(text, ws.slice(2, r));
        if (!from) return queryError("NP9001", "expected a source after `what can`", ws[r]);
        const rest = ws.slice(r + 1);
        if (rest.length > 0 && rest[0]!.lower !== "on")
          return queryError("NP9001", "expected `on PORTS` or the end of the query", rest[0]);
        return { kind: "what", from, ports: join(text, rest.slice(1)) };
      }
      return queryError("NP9001", "expected `what can …` or `what if …`", ws[1] ?? endSpan);
    case "why":
      return parseWhy(text, ws);
    case "check": {
      const rest = join(text, ws.slice(1));
      if (!rest) return queryError("NP9001", "expected a claim or a guarantees file after `check`", endSpan);
      const isFile = ws.length === 2 && (existsSync(rest.text) || /\.(ng|txt|guarantees)$/.test(rest.text));
      return isFile ? { kind: "check", file: rest } : { kind: "check", claim: rest };
    }
    case "show":
      if (at(1) === "policies" || at(1) === "policy") {
        if (ws.length === 2) return { kind: "show-policies" };
        if (at(2) !== "for" || ws.length < 4)
          return queryError("NP9001", "expected `show policies [for NS/NAME]`", ws[2]);
        return { kind: "show-policies", for: join(text, ws.slice(3)) };
      }
      if (at(1) === "workload" || at(1) === "pod") {
        const name = join(text, ws.slice(2));
        if (!name) return queryError("NP9001", "expected `show workload NS/NAME`", endSpan);
        return { kind: "show-workload", name };
      }
      return queryError("NP9001", "expected `show policies` or `show workload`", ws[1] ?? endSpan);
    default: {
      const suggestion = closest(head.lower, [
        "can",
        "who",
        "what",
        "why",
        "check",
        "show",
        "list",
        "undo",
        "reset",
      ]);
      return queryError(
        "NP9001",
        `unknown command \`${head.text}\``,
        head,
        suggestion ? `did you mean \`${suggestion}\`? (.help lists the queries)` : ".help lists the queries",
      );
    }
  }
}

function only(ws: readonly Word[], kind: "list" | "undo" | "reset"): Command | QueryError {
  return ws.length > 1 ? queryError("NP9001", `\`${kind}\` takes no arguments`, ws[1]) : { kind };
}

function find(ws: readonly Word[], lower: string, from: number): number {
  for (let i = from; i < ws.length; i++) if (ws[i]!.lower === lower) return i;
  return -1;
}

/** `B on PORTS`: the last top-level `on` splits. */
function splitOn(
  text: string,
  ws: readonly Word[],
): { to?: Segment | undefined; ports?: Segment | undefined } {
  let on = -1;
  for (let i = ws.length - 1; i > 0; i--)
    if (ws[i]!.lower === "on") {
      on = i;
      break;
    }
  if (on < 0) return { to: join(text, ws) };
  return { to: join(text, ws.slice(0, on)), ports: join(text, ws.slice(on + 1)) };
}

/** `why [not] A -> B [[on] PORTS]`; trailing port words need no `on`. */
function parseWhy(text: string, ws: readonly Word[]): Command | QueryError {
  const not = ws[1]?.lower === "not";
  const first = not ? 2 : 1;
  const arrow = find(ws, "->", first);
  if (arrow < 0)
    return queryError(
      "NP9001",
      "expected `why not A -> B [PORTS]`",
      ws[first] ?? { start: text.length, end: text.length + 1 },
    );
  const from = join(text, ws.slice(first, arrow));
  if (!from) return queryError("NP9001", "expected a source before `->`", ws[arrow]);
  let rest = ws.slice(arrow + 1);
  let ports: Segment | undefined;
  const on = find(rest, "on", 1);
  if (on > 0) {
    ports = join(text, rest.slice(on + 1));
    rest = rest.slice(0, on);
  } else {
    let k = rest.length;
    while (k > 1 && PORT_WORD.test(rest[k - 1]!.text)) k--;
    ports = join(text, rest.slice(k));
    rest = rest.slice(0, k);
  }
  const to = join(text, rest);
  if (!to) return queryError("NP9001", "expected a destination after `->`", ws[arrow]);
  return { kind: "why", not, from, to, ports };
}

function parseWhatIf(text: string, ws: readonly Word[]): Command | QueryError {
  const verb = ws[2];
  const endSpan: Span = { start: text.trimEnd().length, end: text.trimEnd().length + 1 };
  const whole = join(text, ws.slice(2))?.text ?? "";
  if (!verb) return queryError("NP9001", "expected `apply`, `delete` or `label` after `what if`", endSpan);
  switch (verb.lower) {
    case "apply": {
      const file = join(text, ws.slice(3));
      if (!file) return queryError("NP9001", "expected a file or directory after `apply`", endSpan);
      return { kind: "whatif", edit: { kind: "apply", file }, text: whole };
    }
    case "delete": {
      const [kind, name, extra] = ws.slice(3);
      if (!kind || !name)
        return queryError(
          "NP9001",
          "expected `delete KIND NS/NAME` (e.g. `delete networkpolicy ns/name`)",
          kind ?? endSpan,
        );
      if (extra) return queryError("NP9001", "unexpected words after the name", extra);
      return { kind: "whatif", edit: { kind: "delete", objectKind: kind, name }, text: whole };
    }
    case "label": {
      const target = ws[3];
      if (!target || !["pod", "pods", "workload", "namespace", "ns"].includes(target.lower))
        return queryError(
          "NP9001",
          "expected `label pod NS/NAME K=V…` or `label namespace NS K=V…`",
          target ?? endSpan,
        );
      const name = ws[4];
      if (!name) return queryError("NP9001", `expected a ${target.lower} name`, endSpan);
      const changes: { key: string; value: string | null; span: Span }[] = [];
      for (const w of ws.slice(5))
        for (const part of splitCommas(w)) {
          const m = /^([^=]+)=(.*)$/.exec(part.text);
          if (m) changes.push({ key: m[1]!, value: m[2]!.replace(/^"(.*)"$/, "$1"), span: part });
          else if (part.text.endsWith("-") && part.text.length > 1)
            changes.push({ key: part.text.slice(0, -1), value: null, span: part });
          else
            return queryError("NP9001", `expected KEY=VALUE or KEY- (to remove), got \`${part.text}\``, part);
        }
      if (changes.length === 0)
        return queryError("NP9001", "expected at least one KEY=VALUE or KEY-", endSpan);
      const t = target.lower === "namespace" || target.lower === "ns" ? "namespace" : "pod";
      return { kind: "whatif", edit: { kind: "label", target: t, name, changes }, text: whole };
    }
    default:
      return queryError("NP9001", "expected `apply`, `delete` or `label` after `what if`", verb);
  }
}

function splitCommas(w: Word): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  for (const part of w.text.split(",")) {
    if (part !== "") out.push({ text: part, start: w.start + start, end: w.start + start + part.length });
    start += part.length + 1;
  }
  return out;
}
