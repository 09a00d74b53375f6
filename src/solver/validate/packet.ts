/**
 * The packet validation reasons about: the first packet of a connection (conntrack state NEW).
 *
 * | field     | width            | meaning                                                       |
 * |-----------|------------------|---------------------------------------------------------------|
 * | family    | —                | one check per family: addresses are 32 or 128 bits wide       |
 * | src, dst  | 32 / 128         | addresses                                                     |
 * | proto     | 2                | 0 TCP, 1 UDP, 2 SCTP, 3 any other protocol (never policed)    |
 * | dport     | 16               | destination port                                              |
 * | dstLocal  | Boolean          | the destination is an address of this node (nat hooks)        |
 * Values fold (formula.ts): a field is a bigint when known, a z3 term otherwise.
 */
import type { Protocol } from "../../model/index.js";
import { WIDTH } from "./addr.js";
import type { F, Fm, V } from "./formula.js";
import type { Family } from "./ir.js";

export const PROTO_CODES: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
/** IANA numbers of the protocol codes 0..2 (code 3, "other", matches no protocol test). */
export const CODE_NUMBER: readonly number[] = [6, 17, 132];
export const PROTO_BITS = 2;
export const PORT_BITS = 16;

export interface Packet {
  readonly family: Family;
  readonly src: V;
  readonly dst: V;
  readonly proto: V;
  readonly dport: V;
  readonly dstLocal: F;
}

export interface ConcretePacket {
  readonly family: Family;
  readonly src: bigint;
  readonly dst: bigint;
  readonly proto: Protocol;
  readonly dport: number;
  readonly dstLocal: boolean;
}

/** A packet of free variables (`name.src`, …). */
export function symbolicPacket(fm: Fm, family: Family, name: string): Packet {
  return {
    family,
    src: fm.bvConst(`${name}.src`, WIDTH[family]),
    dst: fm.bvConst(`${name}.dst`, WIDTH[family]),
    proto: fm.bvConst(`${name}.proto`, PROTO_BITS),
    dport: fm.bvConst(`${name}.dport`, PORT_BITS),
    dstLocal: fm.boolConst(`${name}.dstLocal`),
  };
}

export function concrete(p: ConcretePacket): Packet {
  return {
    family: p.family,
    src: p.src,
    dst: p.dst,
    proto: BigInt(PROTO_CODES.indexOf(p.proto)),
    dport: BigInt(p.dport),
    dstLocal: p.dstLocal,
  };
}

/** The policed domain of a packet's protocol and port: TCP, UDP or SCTP, port 1..65535. */
export function policedConn(fm: Fm, p: Packet): F {
  return fm.and(fm.inInterval(p.proto, 0n, 2n, PROTO_BITS), fm.inInterval(p.dport, 1n, 65535n, PORT_BITS));
}
