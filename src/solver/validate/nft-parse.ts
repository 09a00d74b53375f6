/**
 * nftables text (`nft -f` input) read back into the rule model: one `table inet NAME`, declared,
 * deleted and redeclared in the file (the last definition is the one loaded), with named sets and
 * maps (`type` of ipv4_addr, ipv6_addr, inet_proto, inet_service and their concatenations, or
 * `typeof numgen random mod N`; flags interval, dynamic, timeout, constant) and chains (base chains
 * of type filter or nat). Rules are read by nft-rule.ts. Anything else is an error.
 */
import { parseAddrText } from "./addr.js";
import { UnsupportedRule } from "./errors.js";
import type { Action, Chain, Element, Family, Hook, HookName, Ruleset, TableKind } from "./ir.js";
import { LexError, lexNft, type Token } from "./nft-lex.js";
import { parseNftRule, parseVerdict, protoNumber } from "./nft-rule.js";

export type SetField = "ipv4_addr" | "ipv6_addr" | "inet_proto" | "inet_service" | "numgen";

export interface NftSet {
  readonly name: string;
  readonly line: number;
  readonly fields: readonly SetField[];
  /** Maps: the verdict of each element (same index). */
  readonly verdicts: readonly Action[] | undefined;
  readonly flags: readonly string[];
  readonly elements: readonly Element[];
}

interface Table {
  readonly sets: Map<string, NftSet>;
  readonly chains: Map<string, { line: number; hook?: Hook; rules: Token[][] }>;
}

const PRIORITIES: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
const HOOKS: readonly HookName[] = ["prerouting", "input", "forward", "output", "postrouting"];

export function parseNft(file: string, content: string): Ruleset {
  let tokens: Token[];
  try {
    tokens = lexNft(content);
  } catch (e) {
    if (e instanceof LexError) throw new UnsupportedRule(file, e.line, e.message, "");
    throw e;
  }
  const p = new Cursor(file, tokens);
  const tables = new Map<string, Table>();
  while (!p.done()) {
    if (p.eatNl()) continue;
    const start = p.peek()!;
    if (p.eat("delete")) {
      p.expect("table");
      const name = tableName(p);
      tables.delete(name);
      p.endStatement();
      continue;
    }
    p.expect("table");
    const name = tableName(p);
    let t = tables.get(name);
    if (!t) {
      t = { sets: new Map(), chains: new Map() };
      tables.set(name, t);
    }
    if (p.eat("{")) tableBody(p, t);
    else p.endStatement();
    if (tables.size > 1) p.fail(start, "more than one table");
  }
  const table = [...tables.values()][0];
  if (!table) throw new UnsupportedRule(file, 1, "no table is defined", "");
  return resolve(file, table);
}

function tableName(p: Cursor): string {
  const family = p.word();
  if (family.text !== "inet") p.fail(family, `table family ${family.text} is not supported (only inet)`);
  return p.word().text;
}

function tableBody(p: Cursor, t: Table): void {
  for (;;) {
    if (p.eatNl() || p.eat(";")) continue;
    if (p.eat("}")) return;
    const tok = p.word();
    switch (tok.text) {
      case "comment":
        p.string();
        break;
      case "set":
      case "map": {
        const name = p.word().text;
        if (t.sets.has(name)) p.fail(tok, `set ${name} is defined twice`);
        p.expect("{");
        t.sets.set(name, setBody(p, name, tok));
        break;
      }
      case "chain": {
        const name = p.word().text;
        if (t.chains.has(name)) p.fail(tok, `chain ${name} is defined twice`);
        p.expect("{");
        t.chains.set(name, chainBody(p, tok));
        break;
      }
      default:
        p.fail(tok, `table statement ${tok.text} is not supported`);
    }
  }
}

function setBody(p: Cursor, name: string, start: Token): NftSet {
  let fields: SetField[] | undefined;
  let verdictMap = false;
  let flags: string[] = [];
  let raw: Token[][] = [];
  for (;;) {
    if (p.eatNl() || p.eat(";")) continue;
    if (p.eat("}")) break;
    const tok = p.word();
    const rest = p.statement();
    switch (tok.text) {
      case "type":
      case "typeof": {
        const words = rest.map((r) => r.text);
        const colon = words.indexOf(":");
        const keyWords = colon < 0 ? words : words.slice(0, colon);
        if (colon >= 0) {
          if (start.text !== "map" || words.slice(colon + 1).join(" ") !== "verdict")
            p.fail(tok, "only verdict maps are supported");
          verdictMap = true;
        }
        if (tok.text === "typeof") {
          if (!/^numgen random mod \d+$/.test(keyWords.join(" ")))
            p.fail(tok, "typeof other than numgen random mod N");
          fields = ["numgen"];
        } else {
          fields = keyWords
            .filter((_, i) => i % 2 === 0)
            .map((w) => {
              if (!["ipv4_addr", "ipv6_addr", "inet_proto", "inet_service"].includes(w))
                p.fail(tok, `set type ${w}`);
              return w as SetField;
            });
          if (keyWords.some((w, i) => i % 2 === 1 && w !== ".")) p.fail(tok, "a malformed concatenated type");
        }
        break;
      }
      case "flags":
        flags = rest.flatMap((r) => (r.text === "," ? [] : r.text.split(",")));
        if (!flags.every((f) => ["interval", "dynamic", "timeout", "constant"].includes(f)))
          p.fail(tok, `set flags ${flags.join(",")}`);
        break;
      case "timeout":
      case "size":
      case "comment":
        break;
      case "elements":
        if (rest.length !== 2 || rest[0]!.text !== "=" || rest[1]!.text !== "{")
          p.fail(tok, "elements = { … }");
        raw = p.elementList();
        break;
      default:
        p.fail(tok, `set statement ${tok.text} is not supported`);
    }
  }
  if (!fields) return p.fail(start, `set ${name} has no type`);
  if (start.text === "map" && !verdictMap) p.fail(start, `map ${name} is not a verdict map`);
  const interval = flags.includes("interval");
  const verdicts: Action[] = [];
  const elements = raw.map((toks) => {
    let key = toks;
    if (verdictMap) {
      const colon = toks.findIndex((t) => t.text === ":");
      if (colon < 0) p.fail(toks[0]!, "a map element without : verdict");
      key = toks.slice(0, colon);
      verdicts.push(parseVerdict(toks.slice(colon + 1), (d) => p.fail(toks[0]!, d)));
    }
    return element(p, key, fields!, interval);
  });
  return { name, line: start.line, fields, verdicts: verdictMap ? verdicts : undefined, flags, elements };
}

/** One element: `a . b . c` with one literal per field. */
export function element(
  p: { fail(t: Token, d: string): never },
  toks: readonly Token[],
  fields: readonly SetField[],
  interval: boolean,
): Element {
  const parts: Token[] = [];
  toks.forEach((t, i) => {
    if (i % 2 === 1) {
      if (t.text !== ".") p.fail(t, "a malformed concatenation");
    } else parts.push(t);
  });
  if (parts.length !== fields.length || toks.length % 2 === 0)
    p.fail(toks[0] ?? { text: "", line: 0, kind: "nl" }, "an element does not fit the set's type");
  return parts.map((t, i) => {
    const f = fields[i]!;
    const bad = (): never =>
      p.fail(t, `${t.text} is not a valid ${f} element here (ranges need flags interval)`);
    if (f === "ipv4_addr" || f === "ipv6_addr") {
      const r = parseAddrText(t.text);
      if (!r || r.family !== (f === "ipv4_addr" ? 4 : 6)) return bad();
      if (r.lo !== r.hi && !interval && !t.text.includes("/")) return bad();
      return [r.lo, r.hi] as const;
    }
    if (f === "inet_proto") {
      const n = protoNumber(t.text);
      return n === undefined ? bad() : ([BigInt(n), BigInt(n)] as const);
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(t.text);
    if (!m) return bad();
    const lo = BigInt(m[1]!);
    const hi = BigInt(m[2] ?? m[1]!);
    if (lo > hi || hi > 65535n || (m[2] && !interval)) return bad();
    return [lo, hi] as const;
  });
}

function chainBody(p: Cursor, start: Token): { line: number; hook?: Hook; rules: Token[][] } {
  let hook: Hook | undefined;
  const rules: Token[][] = [];
  for (;;) {
    if (p.eatNl() || p.eat(";")) continue;
    if (p.eat("}")) return { line: start.line, hook, rules };
    const first = p.peek()!;
    if (first.text === "type" && rules.length === 0 && !hook) {
      p.word();
      const spec = p.statement().map((t) => t.text);
      // type filter hook forward priority filter; policy accept;
      const [kind, h, hookName, pr, prio] = spec;
      if (
        (kind !== "filter" && kind !== "nat") ||
        h !== "hook" ||
        !HOOKS.includes(hookName as HookName) ||
        pr !== "priority"
      )
        p.fail(first, "a base chain other than type filter|nat hook … priority …");
      const priority = prio !== undefined && prio in PRIORITIES ? PRIORITIES[prio]! : Number(prio);
      if (!Number.isInteger(priority) || spec.length !== 5)
        p.fail(first, "a priority other than a number or a standard name");
      let policy: "accept" | "drop" = "accept";
      while (p.eat(";")) {}
      if (p.peek()?.text === "policy") {
        p.word();
        const pol = p.statement().map((t) => t.text);
        if (pol.length !== 1 || (pol[0] !== "accept" && pol[0] !== "drop"))
          p.fail(first, "a chain policy other than accept or drop");
        policy = pol[0] as "accept" | "drop";
      }
      hook = { kind: kind as TableKind, hook: hookName as HookName, priority, policy, chain: "" };
      continue;
    }
    rules.push(p.statement());
  }
}

function resolve(file: string, t: Table): Ruleset {
  const chains = new Map<string, Chain>();
  const hooks: Hook[] = [];
  for (const [name, c] of t.chains) {
    const rules = c.rules.map((toks) => parseNftRule(file, toks, t.sets));
    chains.set(name, { name, rules });
    if (c.hook) hooks.push({ ...c.hook, chain: name });
  }
  for (const c of chains.values())
    for (const r of c.rules)
      for (const a of r.actions)
        checkTargets(a, chains, (d) => {
          throw new UnsupportedRule(file, r.line, d, r.text);
        });
  for (const s of t.sets.values())
    for (const a of s.verdicts ?? [])
      checkTargets(a, chains, (d) => {
        throw new UnsupportedRule(file, s.line, d, `map ${s.name}`);
      });
  return { target: "nftables", families: [4, 6] as Family[], chains, hooks };
}

function checkTargets(a: Action, chains: ReadonlyMap<string, Chain>, fail: (d: string) => never): void {
  if ((a.kind === "jump" || a.kind === "goto") && !chains.has(a.chain))
    fail(`${a.kind} to undefined chain ${a.chain}`);
  if (a.kind === "vmap" || a.kind === "numgen")
    for (const e of a.entries) checkTargets(e.action, chains, fail);
}

class Cursor {
  private i = 0;
  constructor(
    readonly file: string,
    private readonly tokens: readonly Token[],
  ) {}
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  fail(t: Token, detail: string): never {
    throw new UnsupportedRule(this.file, t.line, detail, t.text);
  }
  eat(text: string): boolean {
    const t = this.tokens[this.i];
    if (t && t.kind !== "string" && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }
  eatNl(): boolean {
    if (this.tokens[this.i]?.kind === "nl") {
      this.i++;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    const t = this.tokens[this.i];
    if (!this.eat(text)) this.fail(t ?? this.tokens[this.tokens.length - 1]!, `expected ${text}`);
  }
  word(): Token {
    const t = this.tokens[this.i];
    if (t?.kind !== "word") return this.fail(t ?? this.tokens[this.tokens.length - 1]!, "expected a word");
    this.i++;
    return t;
  }
  string(): Token {
    const t = this.tokens[this.i];
    if (t?.kind !== "string")
      return this.fail(t ?? this.tokens[this.tokens.length - 1]!, "expected a string");
    this.i++;
    return t;
  }
  /** Tokens up to the end of the statement (a newline or `;`, not consumed when it is `}`). */
  statement(): Token[] {
    const out: Token[] = [];
    let depth = 0;
    for (;;) {
      const t = this.tokens[this.i];
      if (!t) return out;
      if (depth === 0 && (t.kind === "nl" || t.text === ";")) {
        this.i++;
        return out;
      }
      if (t.kind === "punct" && t.text === "}") {
        if (depth === 0) return out;
        depth--;
      }
      if (t.kind === "punct" && t.text === "{") {
        depth++;
        // `elements = {` opens a list that the caller reads.
        if (out.length === 1 && out[0]!.text === "=" && depth === 1) {
          out.push(t);
          this.i++;
          return out;
        }
      }
      out.push(t);
      this.i++;
    }
  }
  endStatement(): void {
    const t = this.tokens[this.i];
    if (t && t.kind !== "nl" && t.text !== ";") this.fail(t, "unexpected text after the statement");
    this.i++;
  }
  /** The elements of `{ e, e, … }` after the opening brace, through the closing one. */
  elementList(): Token[][] {
    const out: Token[][] = [];
    let cur: Token[] = [];
    for (;;) {
      const t = this.tokens[this.i++];
      if (!t) return this.fail(this.tokens[this.tokens.length - 1]!, "unterminated element list");
      if (t.kind === "nl") continue;
      if (t.kind === "punct" && (t.text === "," || t.text === "}")) {
        if (cur.length > 0) out.push(cur);
        cur = [];
        if (t.text === "}") return out;
        continue;
      }
      if (t.kind === "punct") this.fail(t, "nested braces in an element list");
      cur.push(t);
    }
  }
}
