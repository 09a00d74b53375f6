/**
 * Map layout 1: the byte-level contract between the emitter and bpf/netpolc.bpf.c, written down in
 * docs/ebpf.md. Duplicated on purpose (as Cilium duplicates its BPF structs in Go): the C file
 * asserts the same sizes with _Static_assert, and the kernel tests load one into the other.
 *
 * Byte order: fields marked `host` are little-endian (the batch file is for little-endian hosts:
 * x86-64, arm64); addresses and ports are in network order. IPv4 addresses occupy the first 4 of 16
 * address bytes, the rest zero.
 */
import type { IpFamily } from "../../model/index.js";

export const LAYOUT_VERSION = 1;
export const DEFAULT_PIN_ROOT = "/sys/fs/bpf/netpolc";

/** Reserved identities (as Cilium numbers them); pod classes from 256, external groups from 2^24 + 1. */
export const ID_ANY = 0;
export const ID_HOST = 1;
export const ID_WORLD = 2;
export const FIRST_CLASS_ID = 256;
export const FIRST_CIDR_ID = 0x01000001;

export const FAMILY_CODE: Record<IpFamily, number> = { 4: 1, 6: 2 };
export const PROTOCOL_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const;

/** Policy key prefix lengths: identity (32) + direction (8), + protocol (8), + port bits (16). */
export const PREFIX_ANY_PROTOCOL = 40;
export const PREFIX_PROTOCOL = 48;
export const PREFIX_FULL = 64;
/** ipcache key: cluster (16) + pad (8) + family (8) before the address. */
export const IPCACHE_STATIC_BITS = 32;

export const IPCACHE_NODE = 1;
export const EP_INGRESS = 1;
export const EP_EGRESS = 2;
/** Endpoint `policy` of a class enforcing nothing: no map is consulted. */
export const NO_POLICY = 0xffffffff;

export type MapType = "lpm_trie" | "hash" | "array_of_maps" | "lru_hash";

export interface MapSpec {
  readonly name: string;
  readonly type: MapType;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

/** The maps of the program, with the max_entries compiled into it. */
export const MAPS = {
  ipcache: { name: "np_ipcache", type: "lpm_trie", keySize: 24, valueSize: 8, maxEntries: 512_000 },
  endpoints: { name: "np_endpoints", type: "hash", keySize: 20, valueSize: 12, maxEntries: 65_536 },
  policies: { name: "np_policies", type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 65_536 },
  services: { name: "np_services", type: "hash", keySize: 20, valueSize: 8, maxEntries: 65_536 },
  backends: { name: "np_backends", type: "hash", keySize: 4, valueSize: 20, maxEntries: 262_144 },
  conntrack: { name: "np_ct", type: "lru_hash", keySize: 40, valueSize: 40, maxEntries: 65_536 },
} as const satisfies Record<string, MapSpec>;

/** Each per-endpoint policy map (an LPM trie created by the batch file). */
export const POLICY_MAP = { type: "lpm_trie", keySize: 12, valueSize: 4, maxEntries: 16_384 } as const;

// --- encoders: each returns the bytes of one key or value -------------------------------------

function u32le(out: number[], v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

function u16be(out: number[], v: number): void {
  out.push((v >>> 8) & 0xff, v & 0xff);
}

function address(out: number[], family: IpFamily, value: bigint): void {
  const n = family === 4 ? 4 : 16;
  for (let i = n - 1; i >= 0; i--) out.push(Number((value >> BigInt(i * 8)) & 0xffn));
  for (let i = n; i < 16; i++) out.push(0);
}

export function ipcacheKey(family: IpFamily, value: bigint, cidrBits: number): number[] {
  const out: number[] = [];
  u32le(out, IPCACHE_STATIC_BITS + cidrBits);
  out.push(0, 0, 0, FAMILY_CODE[family]);
  address(out, family, value);
  return out;
}

export function ipcacheValue(identity: number, flags: number): number[] {
  const out: number[] = [];
  u32le(out, identity);
  u32le(out, flags);
  return out;
}

export function endpointKey(family: IpFamily, value: bigint): number[] {
  const out: number[] = [];
  address(out, family, value);
  out.push(FAMILY_CODE[family], 0, 0, 0);
  return out;
}

export function endpointValue(identity: number, policy: number, flags: number): number[] {
  const out: number[] = [];
  u32le(out, identity);
  u32le(out, policy);
  u32le(out, flags);
  return out;
}

export function policyKey(
  prefixlen: number,
  identity: number,
  egress: boolean,
  protocol: number,
  port: number,
): number[] {
  const out: number[] = [];
  u32le(out, prefixlen);
  u32le(out, identity);
  out.push(egress ? 1 : 0, protocol);
  u16be(out, port);
  return out;
}

export function policyValue(deny: boolean): number[] {
  return [deny ? 1 : 0, 0, 0, 0];
}

export function serviceKey(family: IpFamily, value: bigint, port: number, protocol: number): number[] {
  const out: number[] = [];
  address(out, family, value);
  u16be(out, port);
  out.push(protocol, FAMILY_CODE[family]);
  return out;
}

export function serviceValue(base: number, count: number, flags: number): number[] {
  const out: number[] = [];
  u32le(out, base);
  out.push(count & 0xff, (count >>> 8) & 0xff, flags & 0xff, (flags >>> 8) & 0xff);
  return out;
}

export function u32Key(v: number): number[] {
  const out: number[] = [];
  u32le(out, v);
  return out;
}

export function backendValue(family: IpFamily, value: bigint, port: number): number[] {
  const out: number[] = [];
  address(out, family, value);
  u16be(out, port);
  out.push(FAMILY_CODE[family], 0);
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `28 00 00 00 …`: bpftool's `hex` form. */
export function hex(bytes: readonly number[]): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += i === 0 ? HEX[bytes[i]!] : ` ${HEX[bytes[i]!]}`;
  return s;
}
