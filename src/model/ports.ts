/**
 * Connection sets: for each L4 protocol NetworkPolicy defines (TCP, UDP, SCTP), a set of destination
 * ports kept as sorted, disjoint, non-adjacent closed intervals over 1..65535. Values are immutable and
 * canonical, so two equal sets have equal `key`s (used for interning, ordering and golden output).
 *
 * NetworkPolicy port semantics (networking.k8s.io/v1 NetworkPolicyPort):
 * | rule ports field            | meaning                                                      |
 * |-----------------------------|--------------------------------------------------------------|
 * | absent or []                | every protocol, every port                                   |
 * | {protocol: P}               | every port of P                                               |
 * | {port: N}                   | TCP N (protocol defaults to TCP)                               |
 * | {port: N, endPort: M}       | TCP N..M inclusive                                            |
 * | {port: "name"}              | the destination pod's container port named "name" whose        |
 * |                             | protocol equals the rule's protocol; nothing if it has none   |
 */
import type { Protocol } from "../parser/index.js";

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Flat sorted list [lo0, hi0, lo1, hi1, ...] of disjoint, non-adjacent intervals. */
export type Intervals = readonly number[];

export interface ConnSet {
  readonly TCP: Intervals;
  readonly UDP: Intervals;
  readonly SCTP: Intervals;
}

const FULL: Intervals = Object.freeze([MIN_PORT, MAX_PORT]);
const NONE: Intervals = Object.freeze([]);

export const EMPTY_CONN: ConnSet = Object.freeze({ TCP: NONE, UDP: NONE, SCTP: NONE });
export const ALL_CONN: ConnSet = Object.freeze({ TCP: FULL, UDP: FULL, SCTP: FULL });

export function intervalUnion(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i]!, a[i + 1]!]);
  for (let i = 0; i < b.length; i += 2) pairs.push([b[i]!, b[i + 1]!]);
  return normalize(pairs);
}

export function intervalIntersect(a: Intervals, b: Intervals): Intervals {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

export function intervalSubtract(a: Intervals, b: Intervals): Intervals {
  return intervalIntersect(a, intervalComplement(b));
}

export function intervalComplement(a: Intervals): Intervals {
  const out: number[] = [];
  let next = MIN_PORT;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i]! > next) out.push(next, a[i]! - 1);
    next = a[i + 1]! + 1;
  }
  if (next <= MAX_PORT) out.push(next, MAX_PORT);
  return out;
}

export function intervalContains(a: Intervals, port: number): boolean {
  for (let i = 0; i < a.length; i += 2) if (port >= a[i]! && port <= a[i + 1]!) return true;
  return false;
}

function normalize(pairs: [number, number][]): Intervals {
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function range(protocol: Protocol, lo: number, hi: number = lo): ConnSet {
  return { ...EMPTY_CONN, [protocol]: [lo, hi] };
}

export function allOf(protocol: Protocol): ConnSet {
  return { ...EMPTY_CONN, [protocol]: FULL };
}

export function connUnion(a: ConnSet, b: ConnSet): ConnSet {
  return {
    TCP: intervalUnion(a.TCP, b.TCP),
    UDP: intervalUnion(a.UDP, b.UDP),
    SCTP: intervalUnion(a.SCTP, b.SCTP),
  };
}

export function connIntersect(a: ConnSet, b: ConnSet): ConnSet {
  return {
    TCP: intervalIntersect(a.TCP, b.TCP),
    UDP: intervalIntersect(a.UDP, b.UDP),
    SCTP: intervalIntersect(a.SCTP, b.SCTP),
  };
}

export function connSubtract(a: ConnSet, b: ConnSet): ConnSet {
  return {
    TCP: intervalSubtract(a.TCP, b.TCP),
    UDP: intervalSubtract(a.UDP, b.UDP),
    SCTP: intervalSubtract(a.SCTP, b.SCTP),
  };
}

export function connIsEmpty(a: ConnSet): boolean {
  return a.TCP.length === 0 && a.UDP.length === 0 && a.SCTP.length === 0;
}

export function connIsAll(a: ConnSet): boolean {
  return connKey(a) === ALL_KEY;
}

export function connContains(a: ConnSet, protocol: Protocol, port: number): boolean {
  return intervalContains(a[protocol], port);
}

export function connEquals(a: ConnSet, b: ConnSet): boolean {
  return connKey(a) === connKey(b);
}

/** Canonical key, e.g. `T1-65535|U53-53|S`. */
export function connKey(a: ConnSet): string {
  return `T${a.TCP.join(",")}|U${a.UDP.join(",")}|S${a.SCTP.join(",")}`;
}

const ALL_KEY = connKey(ALL_CONN);

/**
 * The text form used by netpol-analyzer and by every report: `All Connections`, `No Connections`,
 * or `TCP 80,443,8000-8080,UDP 53` (protocols in TCP, UDP, SCTP order; a protocol with every port
 * is written alone, e.g. `UDP 1-65535`).
 */
export function formatConn(a: ConnSet): string {
  if (connIsAll(a)) return "All Connections";
  if (connIsEmpty(a)) return "No Connections";
  const parts: string[] = [];
  for (const p of PROTOCOLS) {
    const iv = a[p];
    if (iv.length === 0) continue;
    const items: string[] = [];
    for (let i = 0; i < iv.length; i += 2)
      items.push(iv[i] === iv[i + 1] ? `${iv[i]}` : `${iv[i]}-${iv[i + 1]}`);
    parts.push(`${p} ${items.join(",")}`);
  }
  return parts.join(",");
}

/** Parses `formatConn`'s output (and netpol-analyzer's) back into a set; undefined on malformed text. */
export function parseConn(text: string): ConnSet | undefined {
  const t = text.trim();
  if (t === "All Connections") return ALL_CONN;
  if (t === "No Connections" || t === "") return EMPTY_CONN;
  let current: Protocol | undefined;
  let out: ConnSet = EMPTY_CONN;
  for (const raw of t.split(",")) {
    let item = raw.trim();
    const m = /^(TCP|UDP|SCTP)\s+(.*)$/.exec(item);
    if (m) {
      current = m[1] as Protocol;
      item = m[2]!;
    }
    if (!current) return undefined;
    const r = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!r) return undefined;
    const lo = Number(r[1]);
    out = connUnion(out, range(current, lo, r[2] ? Number(r[2]) : lo));
  }
  return out;
}
