/**
 * IP addresses and the external address space.
 *
 * Addresses are bigints so IPv4 and IPv6 share one code path. The external address space of each
 * family is cut into disjoint *atoms* by the boundaries of every CIDR and every `except` in the input:
 * two addresses in the same atom are indistinguishable to every policy, so the engine reasons about
 * atoms, never about single addresses. CIDRs are parsed leniently (host bits cleared), as Go's
 * net.ParseCIDR does and the API server accepts.
 */
import ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

export interface IpRange {
  readonly family: IpFamily;
  readonly lo: bigint;
  readonly hi: bigint;
}

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

const MAX: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function fullRange(family: IpFamily): IpRange {
  return { family, lo: 0n, hi: MAX[family] };
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function parseIp(text: string): IpAddress | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === "ipv6") {
    const v6 = addr as ipaddr.IPv6;
    // An IPv4-mapped IPv6 address is the IPv4 address (as the Kubernetes API and Go treat it).
    if (v6.isIPv4MappedAddress())
      return { family: 4, value: bytesToBigint(v6.toIPv4Address().toByteArray()) };
    return { family: 6, value: bytesToBigint(v6.toByteArray()) };
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return { family: 4, value: bytesToBigint(addr.toByteArray()) };
}

export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const prefix = Number(bitsText);
  const width = BITS[ip.family];
  if (prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  const lo = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, lo, hi: lo | ((1n << hostBits) - 1n) };
}

export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.lo <= inner.lo && inner.hi <= outer.hi;
}

export function rangeHas(range: IpRange, ip: IpAddress): boolean {
  return range.family === ip.family && range.lo <= ip.value && ip.value <= range.hi;
}

export function formatIp(family: IpFamily, value: bigint): string {
  const bytes: number[] = [];
  const n = family === 4 ? 4 : 16;
  for (let i = n - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return family === 4 ? bytes.join(".") : ipaddr.fromByteArray(bytes).toString();
}

/** `FIRST-LAST`, the netpol-analyzer form of an external range. */
export function formatRange(r: IpRange): string {
  return `${formatIp(r.family, r.lo)}-${formatIp(r.family, r.hi)}`;
}

/** The smallest list of CIDRs covering exactly `r` (for emitters and readable output). */
export function rangeToCidrs(r: IpRange): string[] {
  const out: string[] = [];
  const width = BITS[r.family];
  let lo = r.lo;
  while (lo <= r.hi) {
    let size = 0;
    while (size < width) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((lo & mask) !== 0n || lo + mask > r.hi) break;
      size = next;
    }
    out.push(`${formatIp(r.family, lo)}/${width - size}`);
    lo += 1n << BigInt(size);
  }
  return out;
}

/**
 * The atoms of the external address space: disjoint ranges covering both families entirely, cut at
 * the boundaries of `ranges`. Atoms are sorted (IPv4 first, then by address); indexes are stable for
 * a given input.
 */
export class AddressSpace {
  readonly atoms: readonly IpRange[];
  private readonly starts: Record<IpFamily, bigint[]> = { 4: [], 6: [] };
  private readonly firstIndex: Record<IpFamily, number> = { 4: 0, 6: 0 };

  constructor(ranges: Iterable<IpRange>) {
    const cuts: Record<IpFamily, Set<bigint>> = { 4: new Set([0n]), 6: new Set([0n]) };
    for (const r of ranges) {
      cuts[r.family].add(r.lo);
      if (r.hi < MAX[r.family]) cuts[r.family].add(r.hi + 1n);
    }
    const atoms: IpRange[] = [];
    for (const family of [4, 6] as const) {
      const starts = [...cuts[family]].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.starts[family] = starts;
      this.firstIndex[family] = atoms.length;
      starts.forEach((lo, i) => {
        atoms.push({ family, lo, hi: i + 1 < starts.length ? starts[i + 1]! - 1n : MAX[family] });
      });
    }
    this.atoms = atoms;
  }

  /** Index of the atom holding `ip`. */
  atomOf(ip: IpAddress): number {
    const starts = this.starts[ip.family];
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ip.value) lo = mid;
      else hi = mid - 1;
    }
    return this.firstIndex[ip.family] + lo;
  }

  /** Indexes of the atoms inside `r` (r must be a union of atoms, which every input range is). */
  atomsIn(r: IpRange): number[] {
    const first = this.atomOf({ family: r.family, value: r.lo });
    const out: number[] = [];
    for (let i = first; i < this.atoms.length; i++) {
      const a = this.atoms[i]!;
      if (a.family !== r.family || a.lo > r.hi) break;
      out.push(i);
    }
    return out;
  }
}
