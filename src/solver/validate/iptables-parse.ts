/**
 * iptables-restore / ip6tables-restore payloads, read back into the rule model.
 *
 * Understood: `*filter` / `*nat`, chain declarations, `-A` rules and COMMIT; the `# jump: TABLE
 * CHAIN RULE` header lines (the rules the payload asks to insert at position 1 of built-in chains,
 * so the last one listed for a chain ends up first); `-s`, `-d`, `-p` (each negatable) and the
 * modules tcp/udp/sctp (`--dport`), multiport (`--dports`), conntrack (`--ctstate`), state, comment,
 * mark, set (`--match-set NAME src|dst`), addrtype (`--dst-type LOCAL`), statistic (random) and
 * recent; the targets ACCEPT, DROP, REJECT, RETURN, MARK, MASQUERADE, DNAT and user chains (jump,
 * `-g` goto). Anything else is an error: a rule the model cannot read is never skipped.
 *
 * Built-in chains hold only what the payload installs, with policy ACCEPT: validation is about
 * netpolc's rules, not whatever else a node may have loaded.
 */
import { parseAddrText, parseEndpointText } from "./addr.js";
import { parseNumber, UnsupportedRule } from "./errors.js";
import type { Ipset } from "./ipset-parse.js";
import {
  type Action,
  CT_STATES,
  type CtState,
  type Family,
  type Hook,
  type HookName,
  type Match,
  PROTO_NUMBER,
  type Rule,
  type Ruleset,
  type TableKind,
} from "./ir.js";

const BUILTIN: Record<TableKind, readonly string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
};
/** Netfilter priorities of the tables' base chains (nat: dstnat at PREROUTING/OUTPUT, srcnat after). */
const PRIORITY: Record<TableKind, number> = { filter: 0, nat: -100 };
const JUMP = "# jump: ";

const PROTOCOL_NAMES: Record<string, number> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
  icmp: 1,
  icmpv6: 58,
  "ipv6-icmp": 58,
};

/** Splits a rule on blanks; double or single quotes group, a backslash escapes the next character. */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === " " || ch === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new Error("unterminated quote");
  if (has) out.push(cur);
  return out;
}

export function parseIptables(
  file: string,
  content: string,
  family: Family,
  ipsets: ReadonlyMap<string, Ipset>,
): Ruleset {
  const chains = new Map<string, Rule[]>();
  const declared = new Set<string>();
  const header: { table: TableKind; chain: string; rule: Rule }[] = [];
  let table: TableKind | undefined;
  let sawTable = false;
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const fail = (detail: string): never => {
      throw new UnsupportedRule(file, i + 1, detail, line);
    };
    if (line === "") continue;
    if (line.startsWith("#")) {
      if (line.startsWith(JUMP) && !sawTable) {
        const [t, chain, ...rest] = line.slice(JUMP.length).split(" ");
        if ((t !== "filter" && t !== "nat") || !chain || !BUILTIN[t].includes(chain))
          fail("a jump into something other than a built-in chain of filter or nat");
        const text = rest.join(" ");
        header.push({
          table: t as TableKind,
          chain: chain!,
          rule: rule(file, i + 1, text, family, ipsets, t as TableKind),
        });
      }
      continue;
    }
    if (line.startsWith("*")) {
      if (table) fail("a table starts before the previous one's COMMIT");
      const name = line.slice(1);
      if (name !== "filter" && name !== "nat") fail(`table ${name} is not supported (only filter and nat)`);
      table = name as TableKind;
      sawTable = true;
      continue;
    }
    if (!table) fail("a line outside any table");
    const t = table!;
    if (line === "COMMIT") {
      table = undefined;
      continue;
    }
    if (line.startsWith(":")) {
      const m = /^:(\S+) (\S+)(?: \[\d+:\d+\])?$/.exec(line);
      if (!m) fail("a malformed chain declaration");
      const [, name, policy] = m!;
      const builtin = BUILTIN[t].includes(name!);
      if (builtin ? policy !== "ACCEPT" : policy !== "-")
        fail(builtin ? "a built-in chain with a policy other than ACCEPT" : "a user chain with a policy");
      const key = `${t}/${name}`;
      // A restore flushes every chain it declares.
      chains.set(key, []);
      declared.add(key);
      continue;
    }
    const words = shellWords(line);
    if (words[0] !== "-A" || !words[1]) fail("only -A rules are supported in a restore payload");
    const key = `${t}/${words[1]}`;
    if (!declared.has(key) && !BUILTIN[t].includes(words[1]!)) fail(`chain ${words[1]} is not declared`);
    const text = line.slice(line.indexOf(words[1]!) + words[1]!.length).trim();
    if (!chains.has(key)) chains.set(key, []);
    chains.get(key)!.push(rule(file, i + 1, text, family, ipsets, t));
  }
  if (table) throw new UnsupportedRule(file, lines.length, "the last table has no COMMIT", "");
  // Header jumps: each inserted at position 1, in the order listed.
  for (const h of header) {
    const key = `${h.table}/${h.chain}`;
    chains.set(key, [h.rule, ...(chains.get(key) ?? [])]);
  }
  const hooks: Hook[] = [];
  for (const t of ["filter", "nat"] as const)
    for (const name of BUILTIN[t]) {
      const key = `${t}/${name}`;
      if (!chains.has(key)) chains.set(key, []);
      hooks.push({
        kind: t,
        hook: name.toLowerCase() as HookName,
        priority: PRIORITY[t],
        policy: "accept",
        chain: key,
      });
    }
  // Jump targets must exist in the same table.
  for (const [key, rules] of chains) {
    const t = key.slice(0, key.indexOf("/"));
    for (const r of rules)
      for (const a of r.actions)
        if ((a.kind === "jump" || a.kind === "goto") && !chains.has(`${t}/${a.chain}`))
          throw new UnsupportedRule(
            r.file,
            r.line,
            `jump to chain ${a.chain}, which the payload does not declare`,
            r.text,
          );
  }
  const resolved = new Map(
    [...chains].map(([key, rules]) => {
      const t = key.slice(0, key.indexOf("/"));
      const withKeys = rules.map((r) => ({
        ...r,
        actions: r.actions.map(
          (a): Action => (a.kind === "jump" || a.kind === "goto" ? { ...a, chain: `${t}/${a.chain}` } : a),
        ),
      }));
      return [key, { name: key, rules: withKeys }] as const;
    }),
  );
  return { target: "iptables", families: [family], chains: resolved, hooks };
}

/** One rule's matches and target. */
function rule(
  file: string,
  line: number,
  text: string,
  family: Family,
  ipsets: ReadonlyMap<string, Ipset>,
  table: TableKind,
): Rule {
  const fail = (detail: string): never => {
    throw new UnsupportedRule(file, line, detail, text);
  };
  let words: string[];
  try {
    words = shellWords(text);
  } catch {
    return fail("unterminated quote");
  }
  const matches: Match[] = [];
  let action: Action | undefined;
  let module: string | undefined;
  let protocol: number | undefined;
  let negate = false;
  let i = 0;
  const next = (what: string): string => {
    const w = words[++i];
    if (w === undefined) fail(`${what} needs a value`);
    return w!;
  };
  const addr = (field: "src" | "dst", value: string) => {
    const r = parseAddrText(value);
    if (!r || r.family !== family || value.includes("-") || value.includes(","))
      fail(`${value} is not one IPv${family} address or CIDR`);
    matches.push({
      kind: "lookup",
      key: [{ kind: "addr", field, family }],
      elements: [[[r!.lo, r!.hi]]],
      negate,
    });
  };
  const ports = (value: string, multi: boolean) => {
    const items = value.split(",");
    if (!multi && items.length > 1) fail("a port list needs -m multiport");
    const elements = items.map((item): [bigint, bigint] => {
      const [lo, hi = lo] = item.split(":");
      const a = parseNumber(lo ?? "");
      const b = parseNumber(hi ?? "");
      if (a === undefined || b === undefined || a > b || b > 65535)
        fail(`${item} is not a port or port range`);
      return [BigInt(a!), BigInt(b!)];
    });
    if (protocol === undefined || ![6, 17, 132].includes(protocol))
      fail("--dport without -p tcp, udp or sctp");
    matches.push({ kind: "lookup", key: [{ kind: "dport" }], elements: elements.map((e) => [e]), negate });
  };
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === "!") {
      if (negate) fail("a double negation");
      negate = true;
      continue;
    }
    switch (w) {
      case "-s":
      case "--source":
        addr("src", next(w));
        break;
      case "-d":
      case "--destination":
        addr("dst", next(w));
        break;
      case "-p":
      case "--protocol": {
        const value = next(w).toLowerCase();
        const n = PROTOCOL_NAMES[value] ?? parseNumber(value);
        if (n === undefined || n > 255) fail(`protocol ${value} is not understood`);
        if (value === "all" || n === 0) fail("-p all");
        protocol = negate ? undefined : n;
        matches.push({
          kind: "lookup",
          key: [{ kind: "l4proto" }],
          elements: [[[BigInt(n!), BigInt(n!)]]],
          negate,
        });
        break;
      }
      case "-m":
      case "--match":
        if (negate) fail("a negated -m");
        module = next(w);
        if (
          ![
            "tcp",
            "udp",
            "sctp",
            "multiport",
            "conntrack",
            "state",
            "comment",
            "mark",
            "set",
            "addrtype",
            "statistic",
            "recent",
          ].includes(module)
        )
          fail(`match module ${module} is not supported`);
        if (
          (module === "tcp" || module === "udp" || module === "sctp") &&
          protocol !== PROTO_NUMBER[module.toUpperCase() as "TCP"]
        )
          fail(`-m ${module} without -p ${module}`);
        if (module === "statistic") {
          // --mode random --probability P
          const mode = words[i + 1] === "--mode" ? words[i + 2] : undefined;
          const p = words[i + 3] === "--probability" ? Number(words[i + 4]) : Number.NaN;
          if (mode !== "random" || !Number.isFinite(p))
            fail("statistic other than --mode random --probability P");
          i += 4;
          if (p <= 0) matches.push({ kind: "lookup", key: [], elements: [], negate: false });
          else if (p < 1) matches.push({ kind: "random", what: `statistic ${p}` });
        }
        if (module === "recent") i = recent(words, i, matches, fail);
        break;
      case "--dport":
      case "--destination-port":
        if (module !== "tcp" && module !== "udp" && module !== "sctp") fail(`${w} outside -m tcp/udp/sctp`);
        ports(next(w), false);
        break;
      case "--dports":
      case "--destination-ports":
        if (module !== "multiport") fail(`${w} outside -m multiport`);
        ports(next(w), true);
        break;
      case "--ctstate":
      case "--state": {
        if (module !== (w === "--ctstate" ? "conntrack" : "state")) fail(`${w} outside its module`);
        const states = next(w).toLowerCase().split(",");
        if (!states.every((s) => (CT_STATES as readonly string[]).includes(s)))
          fail("an unknown conntrack state");
        matches.push({ kind: "ctstate", states: states as CtState[], negate });
        break;
      }
      case "--comment":
        if (module !== "comment") fail("--comment outside -m comment");
        next(w);
        break;
      case "--mark": {
        if (module !== "mark") fail("--mark outside -m mark");
        const [v, m = "0xffffffff"] = next(w).split("/");
        const value = parseNumber(v ?? "");
        const mask = parseNumber(m);
        if (value === undefined || mask === undefined) fail("a malformed mark");
        matches.push({ kind: "mark", value: value!, mask: mask!, negate });
        break;
      }
      case "--match-set": {
        if (module !== "set") fail("--match-set outside -m set");
        const name = next(w);
        const dir = next(w);
        const set = ipsets.get(name);
        if (!set) fail(`ipset ${name} is not defined in the ipset file`);
        if (set!.family !== family) fail(`ipset ${name} is of the other family`);
        if (dir !== "src" && dir !== "dst") fail(`--match-set direction ${dir} (only src or dst)`);
        matches.push({
          kind: "lookup",
          key: [{ kind: "addr", field: dir as "src" | "dst", family }],
          elements: set!.elements.map((e) => [[e.lo, e.hi]]),
          negate,
        });
        break;
      }
      case "--dst-type":
        if (module !== "addrtype" || next(w) !== "LOCAL") fail("addrtype other than --dst-type LOCAL");
        matches.push({ kind: "dstLocal", negate });
        break;
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        if (negate) fail("a negated target");
        if (action) fail("two targets");
        const target = next(w);
        const goto = w === "-g" || w === "--goto";
        const parsed = targetOf(target, words.slice(i + 1), family, table, fail);
        if (goto && parsed.action.kind !== "jump") fail("-g to a built-in target");
        action =
          goto && parsed.action.kind === "jump"
            ? { kind: "goto", chain: parsed.action.chain }
            : parsed.action;
        i += parsed.used;
        break;
      }
      default:
        fail(`option ${w} is not supported`);
    }
    negate = false;
  }
  if (negate) fail("a trailing !");
  return { line, file, text, matches, actions: [action ?? { kind: "continue" }] };
}

function recent(words: string[], start: number, matches: Match[], fail: (d: string) => never): number {
  let i = start;
  let mode: "rcheck" | "set" | undefined;
  while (
    i + 1 < words.length &&
    words[i + 1]!.startsWith("--") &&
    !["--dport", "--dports"].includes(words[i + 1]!)
  ) {
    const opt = words[++i]!;
    if (opt === "--name" || opt === "--seconds") {
      i++;
      continue;
    }
    if (opt === "--rcheck" || opt === "--update") mode = "rcheck";
    else if (opt === "--set") mode = "set";
    else if (opt !== "--reap" && opt !== "--rsource") fail(`recent option ${opt} is not supported`);
  }
  if (!mode) fail("recent without --rcheck or --set");
  // --set records the source and matches; --rcheck holds for a source seen recently (any state).
  if (mode === "rcheck") matches.push({ kind: "random", what: "recent --rcheck" });
  return i;
}

function targetOf(
  target: string,
  rest: string[],
  family: Family,
  table: TableKind,
  fail: (d: string) => never,
): { action: Action; used: number } {
  switch (target) {
    case "ACCEPT":
      return { action: { kind: "accept" }, used: 0 };
    case "DROP":
      return { action: { kind: "drop" }, used: 0 };
    case "RETURN":
      return { action: { kind: "return" }, used: 0 };
    case "REJECT": {
      if (table !== "filter") fail("REJECT outside the filter table");
      const used = rest[0] === "--reject-with" ? 2 : 0;
      return { action: { kind: "reject" }, used };
    }
    case "MARK": {
      const [opt, value] = rest;
      const [v, m] = (value ?? "").split("/");
      const n = parseNumber(v ?? "");
      const mask = m === undefined ? undefined : parseNumber(m);
      if (n === undefined || (m !== undefined && mask === undefined)) fail("a malformed MARK");
      const x = n! >>> 0;
      switch (opt) {
        case "--or-mark":
          return { action: { kind: "mark", mask: x, xor: x }, used: 2 };
        case "--xor-mark":
          return { action: { kind: "mark", mask: 0, xor: x }, used: 2 };
        case "--set-mark":
          return { action: { kind: "mark", mask: (mask ?? 0xffffffff) >>> 0, xor: x }, used: 2 };
        case "--set-xmark":
          return { action: { kind: "mark", mask: (mask ?? 0xffffffff) >>> 0, xor: x }, used: 2 };
        default:
          return fail(`MARK option ${opt} is not supported`);
      }
    }
    case "MASQUERADE": {
      if (table !== "nat") fail("MASQUERADE outside the nat table");
      let used = 0;
      while (rest[used] === "--random-fully" || rest[used] === "--random") used++;
      return { action: { kind: "masquerade" }, used };
    }
    case "DNAT": {
      if (table !== "nat") fail("DNAT outside the nat table");
      if (rest[0] !== "--to-destination" || !rest[1]) fail("DNAT without --to-destination");
      const ep = parseEndpointText(rest[1]!);
      if (!ep || ep.family !== family) fail(`${rest[1]} is not one IPv${family} address (and port)`);
      return { action: { kind: "dnat", family, ip: ep!.ip, port: ep!.port }, used: 2 };
    }
    default:
      // A user chain; that the payload declares it is checked once every chain is read.
      if (!/^[A-Za-z0-9_.-]+$/.test(target)) fail(`target ${target} is not supported`);
      return { action: { kind: "jump", chain: target }, used: 0 };
  }
}
