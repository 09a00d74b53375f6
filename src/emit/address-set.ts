/**
 * Address sets of the plan: sorted, disjoint, non-adjacent ranges of one family, with a canonical
 * key (equal content, equal key) so that every emitter shares one set among all its users.
 */
import { formatIp, type IpAddress, type IpFamily, type IpRange, rangeToCidrs } from "../model/index.js";

export interface AddressSet {
  readonly family: IpFamily;
  /** Sorted, disjoint and non-adjacent. */
  readonly ranges: readonly IpRange[];
  readonly key: string;
}

/** Merges overlapping and adjacent ranges (all of one family). */
export function addressSet(family: IpFamily, input: readonly IpRange[]): AddressSet {
  const sorted = [...input].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const ranges: IpRange[] = [];
  for (const r of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) ranges[ranges.length - 1] = { family, lo: last.lo, hi: r.hi };
    } else ranges.push({ family, lo: r.lo, hi: r.hi });
  }
  return {
    family,
    ranges,
    key: `${family}:${ranges.map((r) => `${r.lo.toString(36)}-${r.hi.toString(36)}`).join(",")}`,
  };
}

/** The set as CIDRs (ipset `hash:net`, iptables `-s`): a /0 is split in two halves, which hash:net accepts. */
export function cidrsOf(s: AddressSet): string[] {
  let c = cidrCache.get(s);
  if (!c) {
    c = s.ranges
      .flatMap((r) =>
        r.lo === r.hi ? [`${formatIp(r.family, r.lo)}/${r.family === 4 ? 32 : 128}`] : rangeToCidrs(r),
      )
      .flatMap((x) => (x.endsWith("/0") ? halves(x) : [x]));
    cidrCache.set(s, c);
  }
  return c;
}

const cidrCache = new WeakMap<AddressSet, string[]>();

function halves(zero: string): string[] {
  return zero.includes(":") ? ["::/1", "8000::/1"] : ["0.0.0.0/1", "128.0.0.0/1"];
}

const ipTexts = new WeakMap<IpAddress, string>();

/** An address as text (memoised per address object: pods and endpoints share theirs). */
export function ipText(ip: IpAddress): string {
  let t = ipTexts.get(ip);
  if (t === undefined) {
    t = formatIp(ip.family, ip.value);
    ipTexts.set(ip, t);
  }
  return t;
}

/** Interns sets by key, so equal sets are one object with one name. */
export class SetPool {
  private readonly byKey = new Map<string, AddressSet>();
  intern(s: AddressSet): AddressSet {
    const hit = this.byKey.get(s.key);
    if (hit) return hit;
    this.byKey.set(s.key, s);
    return s;
  }
}
