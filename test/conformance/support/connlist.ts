/**
 * Semantic comparison of connectivity lists in netpol-analyzer's format: per (source, destination)
 * pair and, for external ranges, per address piece (both sides cut at each other's boundaries).
 */
import { type ConnSet, formatConn, type IpRange, parseConn, parseIp } from "../../../src/model/index.js";

export interface Row {
  src: string;
  dst: string;
  conn: ConnSet;
}

export function parseConnlist(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const m = /^(.*?) => (.*?) : (.*)$/.exec(t);
    if (!m) throw new Error(`bad connlist line: ${t}`);
    const conn = parseConn(m[3]!);
    if (!conn) throw new Error(`bad connections: ${m[3]}`);
    rows.push({ src: m[1]!, dst: m[2]!, conn });
  }
  return rows;
}

function externalRange(peer: string): IpRange | undefined {
  const m = /^(.+)-(.+)\[External\]$/.exec(peer);
  if (!m) return undefined;
  const lo = parseIp(m[1]!);
  const hi = parseIp(m[2]!);
  if (!lo || !hi) return undefined;
  return { family: lo.family, lo: lo.value, hi: hi.value };
}

/** Expands rows into `src => dst` keys with external peers cut at all `cuts`. */
function expand(rows: readonly Row[], cuts: Map<number, bigint[]>): Map<string, string> {
  const out = new Map<string, string>();
  const pieces = (peer: string): string[] => {
    const r = externalRange(peer);
    if (!r) return [peer];
    const res: string[] = [];
    let lo = r.lo;
    for (const c of cuts.get(r.family) ?? []) {
      if (c <= lo) continue;
      if (c > r.hi) break;
      res.push(`${r.family}:${lo}-${c - 1n}[External]`);
      lo = c;
    }
    res.push(`${r.family}:${lo}-${r.hi}[External]`);
    return res;
  };
  for (const row of rows)
    for (const s of pieces(row.src))
      for (const d of pieces(row.dst)) out.set(`${s} => ${d}`, formatConn(row.conn));
  return out;
}

/** Differences between expected and actual, as readable lines (empty when semantically equal). */
export function compareConnlists(expected: readonly Row[], actual: readonly Row[]): string[] {
  const cutSets = new Map<number, Set<bigint>>();
  for (const row of [...expected, ...actual])
    for (const p of [row.src, row.dst]) {
      const r = externalRange(p);
      if (!r) continue;
      const s = cutSets.get(r.family) ?? new Set<bigint>();
      s.add(r.lo);
      s.add(r.hi + 1n);
      cutSets.set(r.family, s);
    }
  const cuts = new Map(
    [...cutSets].map(([f, s]) => [f, [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))]),
  );
  const e = expand(expected, cuts);
  const a = expand(actual, cuts);
  const out: string[] = [];
  for (const k of new Set([...e.keys(), ...a.keys()])) {
    const ev = e.get(k) ?? "No Connections";
    const av = a.get(k) ?? "No Connections";
    if (ev !== av) out.push(`${k}: expected ${ev}, got ${av}`);
  }
  return out.sort();
}
