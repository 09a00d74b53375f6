/**
 * A plain interpreter of the rule model on one concrete packet, written apart from the symbolic
 * evaluator so that every counterexample is replayed by independent code. Random matches fork:
 * the result is every outcome some run can reach, each with the rules that fired on its way.
 */
import type { Action, Element, HookName, KeyField, Match, Rule, Ruleset, TableKind } from "./ir.js";
import { CODE_NUMBER, type ConcretePacket, PROTO_CODES } from "./packet.js";

export interface Outcome {
  readonly kind: "accept" | "drop" | "dnat" | "return";
  readonly ip?: bigint | undefined;
  readonly port?: number | undefined;
  readonly mark: number;
  readonly trace: readonly Rule[];
}

export function runHook(
  rs: Ruleset,
  kind: TableKind,
  hook: HookName,
  p: ConcretePacket,
  mark = 0,
): Outcome[] {
  const base = rs.hooks.find((h) => h.kind === kind && h.hook === hook);
  if (!base) return [{ kind: "accept", mark, trace: [] }];
  return [...run(rs, base.chain, 0, p, mark, [], 0)].map((o) =>
    o.kind === "return" ? { ...o, kind: base.policy === "accept" ? "accept" : "drop" } : o,
  );
}

function* run(
  rs: Ruleset,
  key: string,
  from: number,
  p: ConcretePacket,
  mark: number,
  trace: readonly Rule[],
  depth: number,
): Generator<Outcome> {
  if (depth > 64) throw new Error(`chain nesting deeper than 64 at ${key}`);
  const rules = rs.chains.get(key)!.rules;
  for (let i = from; i < rules.length; i++) {
    const r = rules[i]!;
    const truth = holds(r.matches, p, mark);
    if (truth.includes(true)) {
      const after = (m: number, t: readonly Rule[]) => run(rs, key, i + 1, p, m, t, depth);
      yield* act(rs, r.actions, 0, p, mark, [...trace, r], depth, after);
    }
    if (!truth.includes(false)) return;
  }
  yield { kind: "return", mark, trace };
}

function* act(
  rs: Ruleset,
  actions: readonly Action[],
  index: number,
  p: ConcretePacket,
  mark: number,
  trace: readonly Rule[],
  depth: number,
  next: (mark: number, trace: readonly Rule[]) => Generator<Outcome>,
): Generator<Outcome> {
  const a = actions[index];
  if (!a) return yield* next(mark, trace);
  const rest = (m: number, t: readonly Rule[]) => act(rs, actions, index + 1, p, m, t, depth, next);
  switch (a.kind) {
    case "accept":
    case "masquerade":
      return yield { kind: "accept", mark, trace };
    case "drop":
    case "reject":
      return yield { kind: "drop", mark, trace };
    case "return":
      return yield { kind: "return", mark, trace };
    case "continue":
      return yield* rest(mark, trace);
    case "mark":
      return yield* rest(((mark & ~a.mask) ^ a.xor) >>> 0, trace);
    case "dnat":
      return yield { kind: "dnat", ip: a.ip, port: a.port ?? p.dport, mark, trace };
    case "jump":
    case "goto":
      for (const o of run(rs, a.chain, 0, p, mark, trace, depth + 1)) {
        if (o.kind !== "return") yield o;
        else if (a.kind === "goto") yield o;
        else yield* rest(o.mark, o.trace);
      }
      return;
    case "vmap": {
      const e = a.entries.find((x) => elementHolds(a.key, x.element, p));
      return yield* e ? act(rs, [e.action], 0, p, mark, trace, depth, rest) : rest(mark, trace);
    }
    case "numgen":
      for (let v = 0; v < a.modulus; v++) {
        const e = a.entries.find((x) => x.value === v);
        yield* e ? act(rs, [e.action], 0, p, mark, trace, depth, rest) : rest(mark, trace);
      }
      return;
  }
}

/** The truth values the matches can take: [true], [false] or both (random matches). */
function holds(matches: readonly Match[], p: ConcretePacket, mark: number): boolean[] {
  let random = false;
  for (const m of matches) {
    const v = one(m, p, mark);
    if (v === false) return [false];
    if (v === "random") random = true;
  }
  return random ? [true, false] : [true];
}

function one(m: Match, p: ConcretePacket, mark: number): boolean | "random" {
  switch (m.kind) {
    case "lookup": {
      if (m.key.some((k) => k.kind === "addr" && k.family !== p.family)) return false;
      return m.elements.some((e) => elementHolds(m.key, e, p)) !== m.negate;
    }
    case "family":
      return m.family === p.family;
    case "ctstate":
      return m.states.includes("new") !== m.negate;
    case "mark":
      return ((mark & m.mask) >>> 0 === m.value >>> 0) !== m.negate;
    case "dstLocal":
      return p.dstLocal !== m.negate;
    case "random":
      return "random";
  }
}

function elementHolds(key: readonly KeyField[], e: Element, p: ConcretePacket): boolean {
  return key.every((k, i) => {
    const [lo, hi] = e[i]!;
    let v: bigint;
    if (k.kind === "addr") {
      if (k.family !== p.family) return false;
      v = k.field === "src" ? p.src : p.dst;
    } else if (k.kind === "dport") v = BigInt(p.dport);
    else v = BigInt(CODE_NUMBER[PROTO_CODES.indexOf(p.proto)]!);
    return lo <= v && v <= hi;
  });
}
