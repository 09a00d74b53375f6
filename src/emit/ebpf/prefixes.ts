/**
 * Ranges as prefixes, for LPM-trie keys: address ranges (the model's atoms) as CIDRs, port intervals
 * as port prefixes. Both are the smallest exact cover by aligned power-of-two blocks.
 */
import type { IpFamily, IpRange } from "../../model/index.js";
import { MIN_PORT } from "../../model/index.js";

export interface Cidr {
  readonly family: IpFamily;
  readonly value: bigint;
  /** Prefix length in bits (0..32 or 0..128). */
  readonly bits: number;
}

const WIDTH: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** The CIDRs covering exactly `r`, in address order. */
export function rangeCidrs(r: IpRange): Cidr[] {
  const width = WIDTH[r.family];
  const out: Cidr[] = [];
  let lo = r.lo;
  while (lo <= r.hi) {
    // The largest block aligned at `lo` that stays inside the range.
    let size = 0;
    while (size < width) {
      const span = 1n << BigInt(size + 1);
      if ((lo & (span - 1n)) !== 0n || lo + span - 1n > r.hi) break;
      size++;
    }
    out.push({ family: r.family, value: lo, bits: width - size });
    lo += 1n << BigInt(size);
  }
  return out;
}

export interface PortPrefix {
  /** First port of the block (network order in the key). */
  readonly port: number;
  /** Significant bits of the port, 0..16. */
  readonly bits: number;
}

/**
 * The port prefixes covering exactly [lo, hi]. Port 0 is not a valid destination port and no
 * connection set contains it, so an interval starting at 1 is widened to start at 0: 1-65535 is one
 * prefix (any port), 1-1023 is ten fewer blocks than it would otherwise be.
 */
export function portPrefixes(lo: number, hi: number): PortPrefix[] {
  const out: PortPrefix[] = [];
  let p = lo === MIN_PORT ? 0 : lo;
  while (p <= hi) {
    let size = 0;
    while (size < 16) {
      const span = 1 << (size + 1);
      if ((p & (span - 1)) !== 0 || p + span - 1 > hi) break;
      size++;
    }
    out.push({ port: p, bits: 16 - size });
    p += 1 << size;
  }
  return out;
}
