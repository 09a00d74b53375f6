/**
 * Symbolic evaluation of a ruleset on one packet, chain by chain (Diekmann's iptables semantics,
 * anchors-emitters.md §6, with nftables' goto and verdict maps):
 *
 * | action       | the packet …                                                      |
 * |--------------|-------------------------------------------------------------------|
 * | accept, drop, reject | stops here (reject counts as drop)                         |
 * | return       | goes back to the calling chain (at a base chain: its policy)     |
 * | jump C       | runs C; if C returns, continues after the rule                   |
 * | goto C       | runs C; if C returns, returns from this chain too                |
 * | mark         | changes its mark and continues                                   |
 * | dnat, masquerade | is accepted, with a new destination (dnat)                   |
 * | vmap, numgen | runs the verdict of the one entry that holds, else continues     |
 * A chain's result is a formula per outcome (accept, drop, dnat, return) plus the DNAT target and
 * the mark at the outcome. Rules are folded in order: `alive` is "no earlier rule ended the
 * chain"; every few rules the running values are cut into fresh constants (Fm.cut) so terms stay
 * shallow. Random matches (statistic, recent, dynamic sets, numgen) are fresh variables per visit.
 */
import { mergeIntervals, WIDTH } from "./addr.js";
import { UnsupportedRule } from "./errors.js";
import type { F, Fm, V } from "./formula.js";
import type { Action, Chain, Element, HookName, KeyField, Match, Rule, Ruleset, TableKind } from "./ir.js";
import { CODE_NUMBER, type Packet, PORT_BITS, PROTO_BITS } from "./packet.js";

export interface ChainResult {
  readonly accept: F;
  readonly drop: F;
  readonly dnat: F;
  readonly ip: V;
  readonly port: V;
  readonly ret: F;
  /** The mark when the chain ended (any outcome). */
  readonly mark: V;
}

export interface HookResult {
  readonly accept: F;
  readonly drop: F;
  readonly dnat: F;
  readonly ip: V;
  readonly port: V;
  readonly mark: V;
}

const CUT_EVERY = 8;
const vmapIndex = new WeakMap<
  Action,
  {
    points: Map<string, Extract<Action, { kind: "vmap" }>["entries"][number]>;
    ranges: Extract<Action, { kind: "vmap" }>["entries"][number][];
  }
>();
const mergedCache = new WeakMap<readonly Element[], readonly (readonly [bigint, bigint])[]>();

export class Evaluator {
  private readonly memo = new Map<string, ChainResult>();
  private readonly lookups = new Map<Match, F>();
  private readonly termIds = new WeakMap<object, number>();
  private readonly stack: string[] = [];
  private readonly bits: number;
  private lastId = 0;

  constructor(
    private readonly fm: Fm,
    private readonly rs: Ruleset,
    private readonly p: Packet,
  ) {
    this.bits = WIDTH[p.family];
  }

  /** The base chain of a hook (its policy applied), with the packet's initial mark. */
  hook(kind: TableKind, hook: HookName, mark: V = 0n): HookResult {
    const hooks = this.rs.hooks.filter((h) => h.kind === kind && h.hook === hook);
    if (hooks.length === 0) return { accept: true, drop: false, dnat: false, ip: 0n, port: 0n, mark };
    if (hooks.length > 1) {
      const first = this.rs.chains.get(hooks[1]!.chain)!;
      throw new UnsupportedRule(
        first.rules[0]?.file ?? "",
        first.rules[0]?.line ?? 0,
        `more than one ${kind} base chain at hook ${hook}`,
        first.name,
      );
    }
    const h = hooks[0]!;
    const r = this.chain(h.chain, mark);
    const fm = this.fm;
    const byPolicy = h.policy === "accept" ? r.ret : false;
    return {
      accept: fm.or(r.accept, byPolicy),
      drop: fm.or(r.drop, h.policy === "drop" ? r.ret : false),
      dnat: r.dnat,
      ip: r.ip,
      port: r.port,
      mark: r.mark,
    };
  }

  chain(key: string, mark: V): ChainResult {
    const memoKey = `${key}|${typeof mark === "bigint" ? mark.toString() : `t${this.termId(mark)}`}`;
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const chain = this.rs.chains.get(key);
    if (!chain) throw new Error(`netpolc bug: chain ${key} is not in the ruleset`);
    if (this.stack.includes(key)) {
      const r = chain.rules[0];
      throw new UnsupportedRule(r?.file ?? "", r?.line ?? 0, `chain ${key} jumps back into itself`, key);
    }
    this.stack.push(key);
    const result = this.fold(chain, mark);
    this.stack.pop();
    this.memo.set(memoKey, result);
    return result;
  }

  private termId(x: object): number {
    let id = this.termIds.get(x);
    if (id === undefined) {
      id = ++this.lastId;
      this.termIds.set(x, id);
    }
    return id;
  }

  private fold(chain: Chain, mark0: V): ChainResult {
    const fm = this.fm;
    const s: State = {
      alive: true,
      mark: mark0,
      accept: false,
      drop: false,
      dnat: false,
      ip: 0n,
      port: 0n,
      ret: false,
      endMark: 0n,
    };
    chain.rules.forEach((rule, n) => {
      if (s.alive === false) return;
      const m = this.matchAll(rule, s.mark);
      if (m !== false) for (const a of rule.actions) this.apply(s, fm.and(s.alive, m), a, rule);
      if (n % CUT_EVERY === CUT_EVERY - 1) this.cut(s);
    });
    s.endMark = fm.iteV(s.alive, s.mark, s.endMark, 32);
    s.ret = fm.or(s.ret, s.alive);
    return {
      accept: s.accept,
      drop: s.drop,
      dnat: s.dnat,
      ip: s.ip,
      port: s.port,
      ret: s.ret,
      mark: s.endMark,
    };
  }

  private cut(s: State): void {
    const fm = this.fm;
    s.alive = fm.cut(s.alive, "alive");
    s.accept = fm.cut(s.accept, "acc");
    s.drop = fm.cut(s.drop, "drop");
    s.dnat = fm.cut(s.dnat, "dnat");
    s.ret = fm.cut(s.ret, "ret");
    s.mark = fm.cutV(s.mark, 32, "mark");
    s.endMark = fm.cutV(s.endMark, 32, "endmark");
    s.ip = fm.cutV(s.ip, this.bits, "ip");
    s.port = fm.cutV(s.port, PORT_BITS, "port");
  }

  /** Applies one action under `hit` (the rule holds and the chain is still running). */
  private apply(s: State, hit: F, a: Action, rule: Rule): void {
    const fm = this.fm;
    if (hit === false) return;
    const end = (outcome: "accept" | "drop" | "ret", mark: V = s.mark) => {
      s[outcome] = fm.or(s[outcome], hit);
      s.endMark = fm.iteV(hit, mark, s.endMark, 32);
      s.alive = fm.and(s.alive, fm.not(hit));
    };
    switch (a.kind) {
      case "accept":
      case "masquerade":
        end("accept");
        return;
      case "drop":
      case "reject":
        end("drop");
        return;
      case "return":
        end("ret");
        return;
      case "continue":
        return;
      case "mark":
        s.mark = fm.iteV(hit, markOp(fm, s.mark, a.mask, a.xor), s.mark, 32);
        return;
      case "dnat":
        if (a.family !== this.p.family)
          throw new UnsupportedRule(rule.file, rule.line, "dnat to the other family", rule.text);
        s.dnat = fm.or(s.dnat, hit);
        s.ip = fm.iteV(hit, a.ip, s.ip, this.bits);
        s.port = fm.iteV(hit, a.port === undefined ? this.p.dport : BigInt(a.port), s.port, PORT_BITS);
        s.endMark = fm.iteV(hit, s.mark, s.endMark, 32);
        s.alive = fm.and(s.alive, fm.not(hit));
        return;
      case "jump":
      case "goto": {
        const r = this.chain(a.chain, s.mark);
        const terminal = fm.or(r.accept, r.drop, r.dnat);
        s.accept = fm.or(s.accept, fm.and(hit, r.accept));
        s.drop = fm.or(s.drop, fm.and(hit, r.drop));
        s.dnat = fm.or(s.dnat, fm.and(hit, r.dnat));
        const viaDnat = fm.and(hit, r.dnat);
        s.ip = fm.iteV(viaDnat, r.ip, s.ip, this.bits);
        s.port = fm.iteV(viaDnat, r.port, s.port, PORT_BITS);
        if (a.kind === "jump") {
          s.endMark = fm.iteV(fm.and(hit, terminal), r.mark, s.endMark, 32);
          s.mark = fm.iteV(fm.and(hit, r.ret), r.mark, s.mark, 32);
          s.alive = fm.and(s.alive, fm.not(fm.and(hit, terminal)));
        } else {
          s.ret = fm.or(s.ret, fm.and(hit, r.ret));
          s.endMark = fm.iteV(hit, r.mark, s.endMark, 32);
          s.alive = fm.and(s.alive, fm.not(hit));
        }
        return;
      }
      case "vmap": {
        // A known key picks its entry directly (entries are disjoint); else every entry is a case.
        const known = this.entryOf(a);
        if (known !== undefined) {
          if (known !== null) this.apply(s, hit, known.action, rule);
          return;
        }
        a.entries.forEach((e, i) => {
          this.apply(s, fm.and(hit, this.elementHolds(a.key, e.element)), e.action, rule);
          if (i % CUT_EVERY === CUT_EVERY - 1) this.cut(s);
        });
        return;
      }
      case "numgen": {
        const bits = Math.max(1, Math.ceil(Math.log2(a.modulus)));
        const n = this.fm.bvConst("numgen", bits);
        fm.defs.push(n.ule(a.modulus - 1));
        a.entries.forEach((e, i) => {
          this.apply(s, fm.and(hit, fm.eqV(n, BigInt(e.value), bits)), e.action, rule);
          if (i % CUT_EVERY === CUT_EVERY - 1) this.cut(s);
        });
        return;
      }
    }
  }

  /**
   * The entry of a verdict map whose key the packet holds, when every key field of the packet is
   * known (null: none holds); undefined when some field is symbolic.
   */
  private entryOf(
    a: Extract<Action, { kind: "vmap" }>,
  ): Extract<Action, { kind: "vmap" }>["entries"][number] | null | undefined {
    const values: bigint[] = [];
    for (const k of a.key) {
      if (k.kind === "addr" && k.family !== this.p.family) return null;
      const v =
        k.kind === "addr"
          ? k.field === "src"
            ? this.p.src
            : this.p.dst
          : k.kind === "dport"
            ? this.p.dport
            : this.p.proto;
      if (typeof v !== "bigint") return undefined;
      values.push(k.kind === "l4proto" ? BigInt(CODE_NUMBER[Number(v)] ?? -1) : v);
    }
    let index = vmapIndex.get(a);
    if (!index) {
      const points = new Map<string, (typeof a.entries)[number]>();
      const ranges: (typeof a.entries)[number][] = [];
      for (const e of a.entries)
        if (e.element.every(([lo, hi]) => lo === hi)) points.set(e.element.map(([lo]) => lo).join(","), e);
        else ranges.push(e);
      index = { points, ranges };
      vmapIndex.set(a, index);
    }
    const hit = index.points.get(values.join(","));
    if (hit) return hit;
    return (
      index.ranges.find((e) => e.element.every(([lo, hi], i) => lo <= values[i]! && values[i]! <= hi)) ?? null
    );
  }

  private matchAll(rule: Rule, mark: V): F {
    const parts: F[] = [];
    for (const m of rule.matches) {
      const x = this.match(m, mark);
      if (x === false) return false;
      parts.push(x);
    }
    return this.fm.and(...parts);
  }

  match(m: Match, mark: V): F {
    const fm = this.fm;
    switch (m.kind) {
      case "lookup": {
        let x = this.lookups.get(m);
        if (x === undefined) {
          x = this.lookup(m.key, m.elements, m.negate);
          this.lookups.set(m, x);
        }
        return x;
      }
      case "family":
        return m.family === this.p.family;
      case "ctstate":
        // A first packet is NEW.
        return m.states.includes("new") !== m.negate;
      case "mark": {
        const v: V =
          typeof mark === "bigint" ? BigInt(m.mask) & mark : mark.and(fm.c.BitVec.val(BigInt(m.mask), 32));
        const eq = fm.eqV(v, BigInt(m.value), 32);
        return m.negate ? fm.not(eq) : eq;
      }
      case "dstLocal":
        return m.negate ? fm.not(this.p.dstLocal) : this.p.dstLocal;
      case "random":
        return fm.boolConst("random");
    }
  }

  private lookup(key: readonly KeyField[], elements: readonly Element[], negate: boolean): F {
    const fm = this.fm;
    // Address fields of the other family never match, negated or not (nftables' nfproto dependency).
    if (key.some((k) => k.kind === "addr" && k.family !== this.p.family)) return false;
    let inside: F;
    if (key.length === 1 && key[0]!.kind === "addr") {
      let merged = mergedCache.get(elements);
      if (!merged) {
        merged = mergeIntervals(elements.map((e) => e[0]!));
        mergedCache.set(elements, merged);
      }
      const v = key[0]!.field === "src" ? this.p.src : this.p.dst;
      inside = fm.or(...merged.map(([lo, hi]) => fm.inInterval(v, lo, hi, this.bits)));
    } else inside = fm.or(...elements.map((e) => this.elementHolds(key, e)));
    return negate ? fm.not(inside) : inside;
  }

  private elementHolds(key: readonly KeyField[], e: Element): F {
    const fm = this.fm;
    const parts: F[] = [];
    for (let i = 0; i < key.length; i++) {
      const k = key[i]!;
      const [lo, hi] = e[i]!;
      let x: F;
      if (k.kind === "addr") {
        if (k.family !== this.p.family) return false;
        x = fm.inInterval(k.field === "src" ? this.p.src : this.p.dst, lo, hi, this.bits);
      } else if (k.kind === "dport") x = fm.inInterval(this.p.dport, lo, hi, PORT_BITS);
      else
        x = fm.or(
          ...CODE_NUMBER.map((n, code) =>
            BigInt(n) >= lo && BigInt(n) <= hi ? fm.eqV(this.p.proto, BigInt(code), PROTO_BITS) : false,
          ),
        );
      if (x === false) return false;
      parts.push(x);
    }
    return fm.and(...parts);
  }
}

interface State {
  alive: F;
  mark: V;
  accept: F;
  drop: F;
  dnat: F;
  ip: V;
  port: V;
  ret: F;
  endMark: V;
}

/** `(mark & ~mask) ^ xor` on 32 bits. */
function markOp(fm: Fm, mark: V, mask: number, xor: number): V {
  const keep = BigInt(~mask >>> 0);
  if (typeof mark === "bigint") return (mark & keep) ^ BigInt(xor >>> 0);
  return mark.and(fm.c.BitVec.val(keep, 32)).xor(fm.c.BitVec.val(BigInt(xor >>> 0), 32));
}
