/**
 * One nftables rule, statement by statement:
 *
 * | statement                                         | model                                   |
 * |---------------------------------------------------|-----------------------------------------|
 * | `ip[6] saddr|daddr`, `meta l4proto`, `th dport`,   | a lookup (key fields joined by ` . `)   |
 * | `tcp|udp|sctp dport` [`!=`] literal, `{…}` or `@set` | against a literal, anonymous or named set |
 * | KEY `vmap @map`, `numgen random mod N vmap @map`   | a verdict map                           |
 * | `ct state [!=] a,b`                                | conntrack state                         |
 * | `meta mark & M == V`, `meta mark [!=] V`           | mark test                               |
 * | `fib daddr type local`                             | destination is a local address          |
 * | `ip saddr @dynamic-set`                            | random (the set's content is state)     |
 * | `meta mark set meta mark | X` / `^ X` / `set X`     | mark change                             |
 * | `update @set { … }`, `counter`, `comment "…"`      | no effect on the verdict                |
 * | `dnat ip|ip6 to A:P`, `masquerade`, verdicts       | actions                                 |
 * Matches must come before the first action (what the emitters write); the rest is rejected.
 */
import { parseEndpointText } from "./addr.js";
import { parseNumber, UnsupportedRule } from "./errors.js";
import { type Action, CT_STATES, type CtState, type KeyField, type Match, type Rule } from "./ir.js";
import type { Token } from "./nft-lex.js";
import { element, type NftSet, type SetField } from "./nft-parse.js";

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58, "ipv6-icmp": 58 };

export function protoNumber(text: string): number | undefined {
  const n = PROTOS[text] ?? parseNumber(text);
  return n !== undefined && n <= 255 ? n : undefined;
}

export function parseVerdict(toks: readonly Token[], fail: (d: string) => never): Action {
  const [v, target] = toks.map((t) => t.text);
  if (toks.length === 1 && (v === "accept" || v === "drop" || v === "return")) return { kind: v };
  if (toks.length === 2 && (v === "jump" || v === "goto") && target) return { kind: v, chain: target };
  return fail(`verdict ${toks.map((t) => t.text).join(" ")} is not supported`);
}

function fieldType(k: KeyField): SetField {
  if (k.kind === "addr") return k.family === 4 ? "ipv4_addr" : "ipv6_addr";
  return k.kind === "l4proto" ? "inet_proto" : "inet_service";
}

export function parseNftRule(file: string, toks: readonly Token[], sets: ReadonlyMap<string, NftSet>): Rule {
  const line = toks[0]?.line ?? 0;
  const text = toks.map((t) => (t.kind === "string" ? `"${t.text}"` : t.text)).join(" ");
  const fail = (detail: string): never => {
    throw new UnsupportedRule(file, line, detail, text);
  };
  const matches: Match[] = [];
  const actions: Action[] = [];
  let i = 0;
  const at = (k = 0) => toks[i + k]?.text;
  const take = (what: string): string => {
    const t = toks[i++];
    if (!t) fail(`${what} expected`);
    return t!.text;
  };
  const match = (m: Match) => {
    if (actions.length > 0) fail("a match after an action");
    matches.push(m);
  };
  const namedSet = (name: string, fields: readonly SetField[], map: boolean): NftSet => {
    const s = sets.get(name.slice(1));
    if (!s) fail(`set ${name} is not defined`);
    if ((s!.verdicts !== undefined) !== map) fail(`${name} is ${map ? "not a verdict map" : "a map"}`);
    if (s!.fields.join(" . ") !== fields.join(" . "))
      fail(`${name} has type ${s!.fields.join(" . ")}, not ${fields.join(" . ")}`);
    return s!;
  };
  while (i < toks.length) {
    const w = at()!;
    const tok = toks[i]!;
    if (tok.kind === "string") fail("a stray string");
    // 1. Keys and lookups.
    const key = keyList();
    if (key) {
      const fields = key.fields.map(fieldType);
      if (at() === "vmap") {
        i++;
        const s = namedSet(take("map"), fields, true);
        actions.push({
          kind: "vmap",
          key: key.fields,
          entries: s.elements.map((element, j) => ({ element, action: s.verdicts![j]! })),
        });
        continue;
      }
      let negate = false;
      if (at() === "!=" || at() === "==") negate = take("op") === "!=";
      const rhs = at();
      let elements: readonly (readonly (readonly [bigint, bigint])[])[];
      if (rhs?.startsWith("@")) {
        i++;
        const s = sets.get(rhs.slice(1));
        if (s && (s.flags.includes("dynamic") || s.flags.includes("timeout"))) {
          if (negate || key.fields.length !== 1) fail("a negated or concatenated test of a dynamic set");
          match({ kind: "random", what: `membership in ${rhs}` });
          continue;
        }
        elements = namedSet(rhs, fields, false).elements;
      } else if (rhs === "{") {
        i++;
        const items: Token[][] = [[]];
        while (at() !== "}") {
          const t = toks[i++];
          if (!t) fail("unterminated anonymous set");
          if (t!.text === ",") items.push([]);
          else items[items.length - 1]!.push(t!);
        }
        i++;
        elements = items
          .filter((x) => x.length > 0)
          .map((x) => element({ fail: (_t, d) => fail(d) }, x, fields, true));
      } else {
        const literal = toks.slice(i, i + fields.length * 2 - 1);
        i += literal.length;
        elements = [element({ fail: (_t, d) => fail(d) }, literal, fields, true)];
      }
      for (const m of key.implied) match(m);
      match({ kind: "lookup", key: key.fields, elements, negate });
      continue;
    }
    // 2. Other statements.
    i++;
    switch (w) {
      case "ct": {
        if (take("ct key") !== "state") fail("ct other than ct state");
        let negate = false;
        if (at() === "!=" || at() === "==") negate = take("op") === "!=";
        const states = take("states").split(",");
        if (!states.every((s) => (CT_STATES as readonly string[]).includes(s))) fail("an unknown ct state");
        match({ kind: "ctstate", states: states as CtState[], negate });
        break;
      }
      case "meta": {
        if (take("meta key") !== "mark") fail("meta other than mark and l4proto");
        if (at() === "set") {
          i++;
          actions.push(markSet());
          break;
        }
        let mask = 0xffffffff;
        if (at() === "&") {
          i++;
          mask = num(take("mask"));
        }
        let negate = false;
        if (at() === "!=" || at() === "==") negate = take("op") === "!=";
        match({ kind: "mark", mask, value: num(take("mark value")), negate });
        break;
      }
      case "fib": {
        if (take("fib") !== "daddr" || take("fib") !== "type") fail("fib other than fib daddr type");
        let negate = false;
        if (at() === "!=" || at() === "==") negate = take("op") === "!=";
        if (take("type") !== "local") fail("fib daddr type other than local");
        match({ kind: "dstLocal", negate });
        break;
      }
      case "numgen": {
        if (take("numgen") !== "random" || take("numgen") !== "mod") fail("numgen other than random mod N");
        const modulus = num(take("modulus"));
        if (take("vmap") !== "vmap") fail("numgen without vmap");
        const s = namedSet(take("map"), ["numgen"], true);
        actions.push({
          kind: "numgen",
          modulus,
          entries: s.elements.map((e, j) => ({ value: Number(e[0]![0]), action: s.verdicts![j]! })),
        });
        break;
      }
      case "update": {
        const name = take("set");
        const s = sets.get(name.slice(1));
        if (!name.startsWith("@") || !s?.flags.includes("dynamic"))
          fail("update of a set that is not dynamic");
        if (take("{") !== "{") fail("update without { key }");
        while (i < toks.length && at() !== "}") i++;
        i++;
        actions.push({ kind: "continue" });
        break;
      }
      case "counter":
        while (at() === "packets" || at() === "bytes") i += 2;
        break;
      case "comment":
        if (toks[i]?.kind !== "string" || i !== toks.length - 1) fail("comment must end the rule");
        i++;
        break;
      case "masquerade":
        while (at() === "fully-random" || at() === "random" || at() === "persistent") i++;
        actions.push({ kind: "masquerade" });
        break;
      case "dnat": {
        const fam = take("family");
        if ((fam !== "ip" && fam !== "ip6") || take("to") !== "to")
          fail("dnat other than dnat ip|ip6 to ADDRESS");
        const ep = parseEndpointText(take("address"));
        if (!ep || ep.family !== (fam === "ip" ? 4 : 6)) fail("dnat to an address of the wrong family");
        actions.push({ kind: "dnat", family: ep!.family, ip: ep!.ip, port: ep!.port });
        break;
      }
      case "reject":
        if (at() === "with") fail("reject with … is not supported");
        actions.push({ kind: "reject" });
        break;
      case "accept":
      case "drop":
      case "return":
        actions.push({ kind: w });
        break;
      case "jump":
      case "goto":
        actions.push({ kind: w, chain: take("chain") });
        break;
      default:
        fail(`statement ${w} is not supported`);
    }
  }
  const terminal = actions.findIndex((a) => a.kind !== "continue" && a.kind !== "mark");
  if (terminal >= 0 && terminal !== actions.length - 1) fail("an action after a terminal one");
  return { line, file, text, matches, actions: actions.length > 0 ? actions : [{ kind: "continue" }] };

  function num(t: string): number {
    const n = parseNumber(t);
    if (n === undefined) return fail(`${t} is not a number`);
    return n >>> 0;
  }

  function markSet(): Action {
    // meta mark set meta mark | X, meta mark set meta mark ^ X, meta mark set X
    if (at() === "meta") {
      if (take("meta") !== "meta" || take("mark") !== "mark") fail("meta mark set of another key");
      const op = take("operator");
      const x = num(take("value"));
      if (op === "|") return { kind: "mark", mask: x, xor: x };
      if (op === "^") return { kind: "mark", mask: 0, xor: x };
      return fail(`meta mark set meta mark ${op}`);
    }
    return { kind: "mark", mask: 0xffffffff, xor: num(take("value")) };
  }

  /** `sel (. sel)*` at the cursor, or undefined when no selector starts here. */
  function keyList(): { fields: KeyField[]; implied: Match[] } | undefined {
    const fields: KeyField[] = [];
    const implied: Match[] = [];
    for (;;) {
      const [a, b] = [at(), at(1)];
      let f: KeyField | undefined;
      if ((a === "ip" || a === "ip6") && (b === "saddr" || b === "daddr"))
        f = { kind: "addr", field: b === "saddr" ? "src" : "dst", family: a === "ip" ? 4 : 6 };
      else if (a === "meta" && b === "l4proto") f = { kind: "l4proto" };
      else if (a === "th" && b === "dport") f = { kind: "dport" };
      else if ((a === "tcp" || a === "udp" || a === "sctp") && b === "dport") {
        f = { kind: "dport" };
        const n = BigInt(PROTOS[a]!);
        implied.push({ kind: "lookup", key: [{ kind: "l4proto" }], elements: [[[n, n]]], negate: false });
      }
      if (!f) {
        if (fields.length > 0) fail("a concatenation ends with .");
        return undefined;
      }
      fields.push(f);
      i += 2;
      if (at() !== ".") return { fields, implied };
      i++;
    }
  }
}
