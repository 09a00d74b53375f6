/**
 * Semantic connectivity diff between two listings (old = ref1, new = ref2).
 *
 * External ranges of the two sides are cut at each other's boundaries first, so a range that one
 * side lists whole and the other in pieces is compared piece by piece; adjacent pieces with the same
 * change are merged again afterwards. A peer present on one side only is reported as added/removed.
 */
import type { IpRange } from "./addresses.js";
import { type Connection, formatPeer, type PeerRef } from "./connectivity.js";
import { type ConnSet, connEquals, EMPTY_CONN } from "./ports.js";

export type DiffType = "added" | "removed" | "changed";

export interface ConnectionDiff {
  readonly type: DiffType;
  readonly src: PeerRef;
  readonly dst: PeerRef;
  readonly old: ConnSet;
  readonly new: ConnSet;
  /** A cluster peer that exists only in the old (`removed`) or only in the new (`added`) input. */
  readonly peerChange?: { readonly peer: PeerRef; readonly change: "added" | "removed" } | undefined;
}

export function diffConnections(
  oldRows: readonly Connection[],
  newRows: readonly Connection[],
  oldPeers: readonly PeerRef[],
  newPeers: readonly PeerRef[],
): ConnectionDiff[] {
  // 1. Common cut points of the external ranges of both sides.
  const cuts = new Map<number, Set<bigint>>([
    [4, new Set()],
    [6, new Set()],
  ]);
  for (const c of [...oldRows, ...newRows])
    for (const p of [c.src, c.dst])
      if (p.kind === "external") {
        cuts.get(p.range.family)!.add(p.range.lo);
        cuts.get(p.range.family)!.add(p.range.hi + 1n);
      }
  const sortedCuts = new Map(
    [...cuts].map(([f, s]) => [f, [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))]),
  );
  const split = (r: IpRange): IpRange[] => {
    const pieces: IpRange[] = [];
    let lo = r.lo;
    for (const c of sortedCuts.get(r.family)!) {
      if (c <= lo) continue;
      if (c > r.hi) break;
      pieces.push({ family: r.family, lo, hi: c - 1n });
      lo = c;
    }
    pieces.push({ family: r.family, lo, hi: r.hi });
    return pieces;
  };
  // 2. Index both sides by (src, dst) piece.
  const index = (rows: readonly Connection[]) => {
    const m = new Map<string, Connection>();
    for (const c of rows)
      for (const src of c.src.kind === "external" ? split(c.src.range).map(ext) : [c.src])
        for (const dst of c.dst.kind === "external" ? split(c.dst.range).map(ext) : [c.dst])
          m.set(`${formatPeer(src)} ${formatPeer(dst)}`, { src, dst, conn: c.conn });
    return m;
  };
  const before = index(oldRows);
  const after = index(newRows);
  const oldNames = new Set(oldPeers.map(formatPeer));
  const newNames = new Set(newPeers.map(formatPeer));
  const peerChange = (src: PeerRef, dst: PeerRef): ConnectionDiff["peerChange"] => {
    for (const p of [src, dst]) {
      if (p.kind === "external") continue;
      const n = formatPeer(p);
      if (!oldNames.has(n)) return { peer: p, change: "added" };
      if (!newNames.has(n)) return { peer: p, change: "removed" };
    }
    return undefined;
  };
  // 3. Compare.
  const out: ConnectionDiff[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const o = before.get(key);
    const n = after.get(key);
    const oc = o?.conn ?? EMPTY_CONN;
    const nc = n?.conn ?? EMPTY_CONN;
    if (connEquals(oc, nc)) continue;
    const { src, dst } = (n ?? o)!;
    const type: DiffType = !o ? "added" : !n ? "removed" : "changed";
    out.push({ type, src, dst, old: oc, new: nc, peerChange: peerChange(src, dst) });
  }
  return mergeExternal(out).sort((a, b) => cmpKey(a).localeCompare(cmpKey(b)));
}

function ext(range: IpRange): PeerRef {
  return { kind: "external", range };
}

function cmpKey(d: ConnectionDiff): string {
  return `${formatPeer(d.src)} ${formatPeer(d.dst)}`;
}

/** Merges adjacent external pieces that carry the same change for the same counterpart. */
function mergeExternal(diffs: ConnectionDiff[]): ConnectionDiff[] {
  const groups = new Map<string, ConnectionDiff[]>();
  const out: ConnectionDiff[] = [];
  for (const d of diffs) {
    const side = d.src.kind === "external" ? "src" : d.dst.kind === "external" ? "dst" : undefined;
    if (!side) {
      out.push(d);
      continue;
    }
    const other = side === "src" ? d.dst : d.src;
    const r = (d[side] as { range: IpRange }).range;
    const key = `${side}|${formatPeer(other)}|${d.type}|${JSON.stringify(d.old)}|${JSON.stringify(d.new)}|${r.family}`;
    const list = groups.get(key) ?? [];
    list.push(d);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    const side = list[0]!.src.kind === "external" ? "src" : "dst";
    const rangeOf = (d: ConnectionDiff) => (d[side] as { range: IpRange }).range;
    list.sort((a, b) => (rangeOf(a).lo < rangeOf(b).lo ? -1 : 1));
    let cur = list[0]!;
    for (const d of list.slice(1)) {
      const a = rangeOf(cur);
      const b = rangeOf(d);
      if (a.hi + 1n === b.lo) cur = { ...cur, [side]: ext({ ...a, hi: b.hi }) };
      else {
        out.push(cur);
        cur = d;
      }
    }
    out.push(cur);
  }
  return out;
}
