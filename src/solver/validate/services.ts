/**
 * Services: the nat hook (PREROUTING) against the model's frontends (frontends.ts), per family.
 *
 * 1. *Nothing else* — one query for a first packet and a run of the random choices (statistic,
 *    numgen, affinity) such that: a frontend with endpoints is not translated to one of them; a
 *    frontend without endpoints is translated, or not dropped by nat and accepted by the filter;
 *    a packet to no frontend is translated or dropped; a packet translated to another address
 *    carries a mark bit the filter reads; a packet translated to its own source (hairpin) is not
 *    accepted by the filter with the mark it carries. unsat proves none exists.
 * 2. *Every endpoint reachable* — one query holding, for every frontend and each of its endpoints,
 *    a copy of the translation (its own client address and random choices) that ends at that
 *    endpoint; sat proves every copy possible. When it is unsat, each copy alone finds the missing one.
 * NodePorts answer on any local address that is not loopback (iptables, nftables), or on the Node
 * objects' addresses (eBPF, as docs/ebpf.md states); the witness address of a NodePort is a Node's
 * address of the family, else 192.0.2.1 / 2001:db8::1 (documentation ranges).
 */
import { type Analysis, formatIp, parseIp } from "../../model/index.js";
import type { Ctx } from "../z3.js";
import { mergeIntervals, WIDTH } from "./addr.js";
import { type Outcome, runHook } from "./concrete.js";
import type { Dataplane } from "./dataplane.js";
import { Evaluator } from "./evaluate.js";
import type { FamilyExpectation } from "./expected.js";
import { type F, Fm, type V } from "./formula.js";
import type { Frontend, Target } from "./frontends.js";
import type { Family, Interval } from "./ir.js";
import {
  type ConcretePacket,
  type Packet,
  PORT_BITS,
  PROTO_BITS,
  PROTO_CODES,
  policedConn,
  symbolicPacket,
} from "./packet.js";
import type { CheckResult } from "./policy-check.js";
import { describePacket } from "./policy-check.js";
import { boolIn, packetIn, solve } from "./solve.js";

export interface ServiceCounterexample {
  readonly kind: "service";
  readonly packet: ConcretePacket;
  /** The frontend the packet is addressed to, if any. */
  readonly frontend: Frontend | undefined;
  readonly expected: string;
  readonly got: string;
  readonly ruleset: readonly string[];
}

export interface HairpinRefused {
  readonly kind: "hairpin";
  readonly frontend: Frontend;
  readonly target: Target;
  /** The translated packet (the endpoint to itself) and the mark it carries. */
  readonly packet: ConcretePacket;
  readonly mark: number;
  readonly ruleset: readonly string[];
}

export interface UnreachableEndpoint {
  readonly kind: "unreachable";
  readonly frontend: Frontend;
  readonly target: Target;
}

interface NatResult {
  readonly dnat: F;
  readonly drop: F;
  readonly ip: V;
  readonly port: V;
  readonly mark: V;
}

const LOOPBACK: Record<Family, Interval> = { 4: [0x7f000000n, 0x7fffffffn], 6: [1n, 1n] };

export function nodeAddresses(a: Analysis, family: Family): Interval[] {
  return mergeIntervals(
    a.cluster.nodes.flatMap((n) =>
      n.addresses.filter((x) => x.family === family).map((x) => [x.value, x.value] as const),
    ),
  );
}

function natOf(fm: Fm, dp: Dataplane, p: Packet): NatResult {
  const rs = dp.nat(p.family);
  if (!rs) return { dnat: false, drop: false, ip: 0n, port: 0n, mark: 0n };
  return new Evaluator(fm, rs, p).hook("nat", "prerouting", 0n);
}

/**
 * Whether a packet is addressed to a NodePort: a local address that is not loopback (any node
 * address, for eBPF: the Node objects'), and no address frontend of the packet's port and protocol.
 */
function nodePortAddress(fm: Fm, dp: Dataplane, a: Analysis, fronts: readonly Frontend[], p: Packet): F {
  const bits = WIDTH[p.family];
  const local =
    dp.nodePorts === "local"
      ? fm.and(p.dstLocal, fm.not(fm.inInterval(p.dst, LOOPBACK[p.family][0], LOOPBACK[p.family][1], bits)))
      : fm.inSet(p.dst, nodeAddresses(a, p.family), bits);
  return fm.and(
    local,
    fm.not(fm.or(...fronts.filter((f) => f.ip !== undefined).map((f) => addressedTo(fm, f, p)))),
  );
}

function addressedTo(fm: Fm, f: Frontend, p: Packet): F {
  return fm.and(
    f.ip === undefined ? true : fm.eqV(p.dst, f.ip, WIDTH[p.family]),
    fm.eqV(p.proto, BigInt(PROTO_CODES.indexOf(f.protocol)), PROTO_BITS),
    fm.eqV(p.dport, BigInt(f.port), PORT_BITS),
  );
}

export async function checkNothingElse(
  c: Ctx,
  dp: Dataplane,
  a: Analysis,
  fe: FamilyExpectation,
  fronts: readonly Frontend[],
  timeoutMs: number,
): Promise<CheckResult<ServiceCounterexample>> {
  const family = fe.family;
  const fm = new Fm(c, `nat${family}`);
  const bits = WIDTH[family];
  const markBits = dp.markBits(family);
  const wrong = (p: Packet, nat: NatResult, f: Frontend | undefined): F => {
    const bad: F[] = [];
    if (!f) bad.push(nat.dnat, nat.drop);
    else if (f.targets.length > 0) {
      const to = (t: Target) =>
        fm.and(fm.eqV(nat.ip, t.ip, bits), fm.eqV(nat.port, BigInt(t.port), PORT_BITS));
      bad.push(fm.not(fm.and(nat.dnat, fm.or(...f.targets.map(to)))));
    } else {
      // No endpoints: not translated, and refused (by nat, or by the filter).
      const refused = f.kind === "NodePort" ? true : fm.or(nat.drop, fm.not(dp.filter(fm, p, fe.hostLocal)));
      bad.push(nat.dnat, fm.not(refused));
    }
    // Marks the filter reads only on a packet translated to its own source (the hairpin, checked apart).
    if (markBits !== 0) {
      const masked =
        typeof nat.mark === "bigint"
          ? nat.mark & BigInt(markBits)
          : fm.bv(nat.mark, 32).and(fm.c.BitVec.val(BigInt(markBits), 32));
      const hairpin = fm.and(nat.dnat, fm.eqV(nat.ip, p.src, bits));
      bad.push(fm.and(fm.not(fm.eqV(masked, 0n, 32)), fm.not(hairpin)));
    }
    return fm.or(...bad);
  };
  const cases: { packet: Packet; violated: F }[] = [];
  const packet = (f: Frontend | undefined): Packet => {
    const free = symbolicPacket(fm, family, f ? `n.${f.service}` : "n");
    if (!f) return free;
    const fixed = { proto: BigInt(PROTO_CODES.indexOf(f.protocol)), dport: BigInt(f.port) };
    return f.ip === undefined ? { ...free, ...fixed } : { ...free, ...fixed, dst: f.ip };
  };
  // 1. Each frontend, on a packet addressed to it (what is known of it folds the rules).
  for (const f of fronts) {
    const p = packet(f);
    const to = f.ip === undefined ? nodePortAddress(fm, dp, a, fronts, p) : true;
    if (to === false) continue;
    cases.push({ packet: p, violated: fm.cut(fm.and(to, wrong(p, natOf(fm, dp, p), f)), "case") });
  }
  // 2. Every other packet.
  const p = packet(undefined);
  const elsewhere = fm.not(
    fm.or(
      ...fronts.map((f) =>
        f.ip === undefined
          ? fm.and(nodePortAddress(fm, dp, a, fronts, p), addressedTo(fm, f, p))
          : addressedTo(fm, f, p),
      ),
    ),
  );
  cases.push({
    packet: p,
    violated: fm.cut(fm.and(policedConn(fm, p), elsewhere, wrong(p, natOf(fm, dp, p), undefined)), "case"),
  });
  const r = await solve(c, fm, [fm.or(...cases.map((x) => x.violated))], timeoutMs);
  if (r.result !== "sat") return r.result === "unsat" ? { result: "holds", solveMs: r.solveMs } : r;
  const hit = cases.find((x) => boolIn(c, r.model, x.violated))!;
  const found = packetIn(c, r.model, hit.packet);
  return { result: "fails", counterexample: replayNat(dp, a, fe, fronts, found), solveMs: r.solveMs };
}

/** The packet's frontend and the outcomes the rules can reach, which must include a wrong one. */
function replayNat(
  dp: Dataplane,
  a: Analysis,
  fe: FamilyExpectation,
  fronts: readonly Frontend[],
  p: ConcretePacket,
): ServiceCounterexample {
  const code = (f: Frontend) => f.protocol === p.proto;
  const local =
    dp.nodePorts === "local"
      ? p.dstLocal && !(LOOPBACK[p.family][0] <= p.dst && p.dst <= LOOPBACK[p.family][1])
      : nodeAddresses(a, p.family).some(([lo, hi]) => lo <= p.dst && p.dst <= hi);
  const frontend =
    fronts.find((f) => f.ip === p.dst && code(f) && f.port === p.dport) ??
    (local ? fronts.find((f) => f.ip === undefined && code(f) && f.port === p.dport) : undefined);
  const rs = dp.nat(p.family);
  const outcomes: Outcome[] = rs
    ? runHook(rs, "nat", "prerouting", p)
    : [{ kind: "accept", mark: 0, trace: [] }];
  const text = (t: Target) => `${p.family === 6 ? `[${formatIp(6, t.ip)}]` : formatIp(4, t.ip)}:${t.port}`;
  const show = (o: Outcome) =>
    o.kind === "dnat"
      ? `translated to ${text({ ip: o.ip!, port: o.port! })}`
      : o.kind === "drop"
        ? "dropped"
        : "not translated";
  const bits = dp.markBits(p.family);
  const wrong = outcomes.find((o) => {
    const hairpin = o.kind === "dnat" && o.ip === p.src;
    if (bits !== 0 && (o.mark & bits) !== 0 && !hairpin) return true;
    if (!frontend) return o.kind === "dnat" || o.kind === "drop";
    if (frontend.targets.length === 0)
      return (
        o.kind === "dnat" ||
        (o.kind !== "drop" && frontend.kind !== "NodePort" && dp.filterConcrete(p, fe.hostLocal).accepted)
      );
    return !(o.kind === "dnat" && frontend.targets.some((t) => t.ip === o.ip && t.port === o.port));
  });
  if (!wrong)
    throw new Error(
      `netpolc bug: the Services check found ${describePacket(p)} but its replay shows no wrong translation`,
    );
  const expected = !frontend
    ? "no translation (no Service frontend)"
    : frontend.targets.length === 0
      ? `${frontend.service} has no endpoints: not translated, and not accepted`
      : `one of ${frontend.targets.map(text).join(", ")} (${frontend.service})`;
  const marked = bits !== 0 && (wrong.mark & bits) !== 0;
  const markNote = marked ? `, mark 0x${wrong.mark.toString(16)}` : "";
  return {
    kind: "service",
    packet: p,
    frontend,
    expected: marked
      ? `${expected}, without mark bits the filter reads (0x${bits.toString(16)}): only a packet translated to its own client carries them`
      : expected,
    got: `${show(wrong)}${markNote}`,
    ruleset: wrong.trace.map((r) => `${r.file}:${r.line}: ${r.text}`),
  };
}

export async function checkReachable(
  c: Ctx,
  dp: Dataplane,
  a: Analysis,
  fronts: readonly Frontend[],
  family: Family,
  timeoutMs: number,
): Promise<CheckResult<UnreachableEndpoint> & { notes?: string[] }> {
  const fm = new Fm(c, `reach${family}`);
  const bits = WIDTH[family];
  const witness = nodePortWitness(a, dp, fronts, family);
  const copies: { f: Frontend; t: Target; goal: F }[] = [];
  for (const f of fronts) {
    if (f.targets.length === 0) continue;
    if (f.ip === undefined && witness === undefined) continue;
    const from = fm.position();
    const src = fm.bvConst("client", bits);
    const p: Packet = {
      family,
      src,
      dst: f.ip ?? witness!,
      proto: BigInt(PROTO_CODES.indexOf(f.protocol)),
      dport: BigInt(f.port),
      dstLocal: f.ip === undefined,
    };
    const nat = natOf(fm, dp, p);
    for (const t of f.targets) {
      const reached = fm.and(
        nat.dnat,
        fm.eqV(nat.ip, t.ip, bits),
        fm.eqV(nat.port, BigInt(t.port), PORT_BITS),
      );
      copies.push({ f, t, goal: fm.copySince(reached, from, "copy") });
    }
    fm.defs.length = from.defs;
  }
  const notes =
    witness === undefined && fronts.some((f) => f.ip === undefined && f.targets.length > 0)
      ? [`IPv${family} NodePorts not checked for reachability: no Node object has an IPv${family} address`]
      : [];
  const all = await solve(c, fm, [fm.and(...copies.map((x) => x.goal))], timeoutMs);
  if (all.result === "sat") return { result: "holds", notes, solveMs: all.solveMs };
  if (all.result === "unknown") return { ...all, notes };
  for (const x of copies) {
    const one = await solve(c, fm, [x.goal], timeoutMs);
    if (one.result === "unsat")
      return { result: "fails", counterexample: { kind: "unreachable", frontend: x.f, target: x.t }, notes };
  }
  return { result: "unknown", reason: "every endpoint is reachable alone, not all together", notes };
}

/** An address a NodePort may be dialled at, that is no address frontend. */
function nodePortWitness(
  a: Analysis,
  dp: Dataplane,
  fronts: readonly Frontend[],
  family: Family,
): bigint | undefined {
  const vips = new Set(fronts.flatMap((f) => (f.ip === undefined ? [] : [f.ip])));
  const nodes = nodeAddresses(a, family).map(([lo]) => lo);
  const fallback =
    dp.nodePorts === "local" ? [parseIp(family === 4 ? "192.0.2.1" : "2001:db8::1")!.value] : [];
  return [...nodes, ...fallback].find((x) => !vips.has(x));
}

/**
 * The hairpin: an endpoint dialling a frontend and translated to itself must get through the filter
 * (a pod may always reach itself). The packet is then fully known (the endpoint's address to the
 * frontend), so every run of the random choices is enumerated by the concrete interpreter and each
 * translation to the endpoint is run through the filter with the mark it carries: exhaustive.
 */
export function checkHairpin(
  dp: Dataplane,
  a: Analysis,
  fronts: readonly Frontend[],
  family: Family,
): CheckResult<HairpinRefused> {
  const rs = dp.nat(family);
  if (!rs || !dp.filterMarkedConcrete) return { result: "holds" };
  const witness = nodePortWitness(a, dp, fronts, family);
  for (const f of fronts) {
    if (f.ip === undefined && witness === undefined) continue;
    for (const t of f.targets) {
      const p: ConcretePacket = {
        family,
        src: t.ip,
        dst: f.ip ?? witness!,
        proto: f.protocol,
        dport: f.port,
        dstLocal: f.ip === undefined,
      };
      for (const o of runHook(rs, "nat", "prerouting", p)) {
        if (o.kind !== "dnat" || o.ip !== t.ip) continue;
        const back: ConcretePacket = {
          family,
          src: t.ip,
          dst: t.ip,
          proto: f.protocol,
          dport: o.port!,
          dstLocal: false,
        };
        if (!dp.filterMarkedConcrete(back, o.mark))
          return {
            result: "fails",
            counterexample: {
              kind: "hairpin",
              frontend: f,
              target: t,
              packet: back,
              mark: o.mark,
              ruleset: o.trace.map((r) => `${r.file}:${r.line}: ${r.text}`),
            },
          };
      }
    }
  }
  return { result: "holds" };
}
