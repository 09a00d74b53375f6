/**
 * Policy: one query per family asks for a first packet in the domain (expected.ts) that the node's
 * filter accepts and the model does not allow there, or the reverse. unsat proves the two sets of
 * packets equal; sat gives a packet, which is replayed on both sides by the concrete evaluators
 * before it is reported (a replay that does not differ is a bug of this module, and thrown).
 */
import { type Analysis, formatIp, formatRange } from "../../model/index.js";
import type { Ctx } from "../z3.js";
import { WIDTH } from "./addr.js";
import type { Dataplane } from "./dataplane.js";
import { allowedConcrete, allowedFormula, domainFormula, type FamilyExpectation, judge } from "./expected.js";
import { Fm } from "./formula.js";
import type { Frontend } from "./frontends.js";
import {
  type ConcretePacket,
  type Packet,
  PORT_BITS,
  PROTO_BITS,
  PROTO_CODES,
  policedConn,
  symbolicPacket,
} from "./packet.js";
import { packetIn, solve } from "./solve.js";

export interface PolicyCounterexample {
  readonly kind: "policy";
  readonly packet: ConcretePacket;
  readonly rulesetAccepts: boolean;
  readonly modelAllows: boolean;
  readonly src: string;
  readonly dst: string;
  /** Which half the model refuses (or "both allow"). */
  readonly model: string;
  /** The rules that decided, or the map lookups. */
  readonly ruleset: readonly string[];
}

export type CheckResult<X> = (
  | { readonly result: "holds" }
  | { readonly result: "fails"; readonly counterexample: X }
  | { readonly result: "unknown"; readonly reason: string }
) & { readonly solveMs?: number | undefined };

/** Packets to an address frontend (a Service address, port and protocol): checked as Services. */
export function frontendMatch(fm: Fm, fronts: readonly Frontend[], p: Packet): ReturnType<Fm["or"]> {
  const bits = WIDTH[p.family];
  return fm.or(
    ...fronts
      .filter((f) => f.ip !== undefined)
      .map((f) =>
        fm.and(
          fm.eqV(p.dst, f.ip!, bits),
          fm.eqV(p.proto, BigInt(PROTO_CODES.indexOf(f.protocol)), PROTO_BITS),
          fm.eqV(p.dport, BigInt(f.port), PORT_BITS),
        ),
      ),
  );
}

export async function checkPolicy(
  c: Ctx,
  dp: Dataplane,
  a: Analysis,
  fe: FamilyExpectation,
  fronts: readonly Frontend[],
  timeoutMs: number,
): Promise<CheckResult<PolicyCounterexample>> {
  const fm = new Fm(c, `policy${fe.family}`);
  const p = symbolicPacket(fm, fe.family, "p");
  const domain = fm.and(policedConn(fm, p), domainFormula(fm, fe, p), fm.not(frontendMatch(fm, fronts, p)));
  const accepted = fm.cut(dp.filter(fm, p, fe.hostLocal), "accepted");
  const { must, may } = allowedFormula(fm, fe, p);
  const differ = fm.or(fm.and(accepted, fm.not(may)), fm.and(fm.not(accepted), must));
  const r = await solve(c, fm, [domain, differ], timeoutMs);
  if (r.result === "unsat") return { result: "holds", solveMs: r.solveMs };
  if (r.result === "unknown") return r;
  const packet = packetIn(c, r.model, p);
  return { result: "fails", counterexample: replay(dp, a, fe, packet), solveMs: r.solveMs };
}

/** Both sides on the concrete packet; they must disagree. */
export function replay(
  dp: Dataplane,
  a: Analysis,
  fe: FamilyExpectation,
  packet: ConcretePacket,
): PolicyCounterexample {
  const got = dp.filterConcrete(packet, fe.hostLocal);
  const want = allowedConcrete(a, fe, packet);
  if (got.accepted ? want.may : !want.must)
    throw new Error(
      `netpolc bug: validation found ${describePacket(packet)} but both sides ${got.accepted ? "accept" : "refuse"} it when replayed`,
    );
  const model = want.must
    ? "the model allows it"
    : !want.egress && !want.ingress
      ? "the model refuses it in both directions"
      : `the model refuses it: ${!want.egress ? "egress of the source" : "ingress of the destination"}`;
  return {
    kind: "policy",
    packet,
    rulesetAccepts: got.accepted,
    modelAllows: want.must,
    src: describeAddress(a, fe, packet.src),
    dst: describeAddress(a, fe, packet.dst),
    model,
    ruleset: got.why,
  };
}

export function describePacket(p: ConcretePacket): string {
  const addr = (v: bigint) => (p.family === 6 ? `[${formatIp(6, v)}]` : formatIp(4, v));
  return `${formatIp(p.family, p.src)} -> ${addr(p.dst)}:${p.dport}/${p.proto}`;
}

export function describeAddress(a: Analysis, fe: FamilyExpectation, ip: bigint): string {
  const j = judge(a, fe, ip);
  if (j.pod) {
    const pod = a.cluster.pods[j.pod.pod]!;
    const where = pod.nodeName ? `on ${pod.nodeName}` : "unplaced";
    return `pod ${pod.namespace}/${pod.name} (${where}, ${j.pod.local ? "local" : "remote"})`;
  }
  const atom = a.space.atoms[j.endpoint - a.classCount]!;
  return `address ${formatIp(fe.family, ip)} (external, in ${formatRange(atom)})`;
}
