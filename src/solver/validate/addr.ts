/**
 * Address text as the emitted files write it (an address, a CIDR, or `first-last`), and sorted
 * interval lists.
 */
import { parseCidr, parseIp } from "../../model/index.js";
import type { Family, Interval } from "./ir.js";

export const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

export interface AddrInterval {
  readonly family: Family;
  readonly lo: bigint;
  readonly hi: bigint;
}

/** `10.0.0.1`, `10.0.0.0/8`, `10.0.0.1-10.0.0.9` (nft), `[fd00::1]` is not accepted. */
export function parseAddrText(text: string): AddrInterval | undefined {
  if (text.includes("/")) {
    const r = parseCidr(text);
    return r ? { family: r.family, lo: r.lo, hi: r.hi } : undefined;
  }
  const dash = text.indexOf("-");
  if (dash > 0) {
    const lo = parseIp(text.slice(0, dash));
    const hi = parseIp(text.slice(dash + 1));
    if (!lo || !hi || lo.family !== hi.family || lo.value > hi.value) return undefined;
    return { family: lo.family, lo: lo.value, hi: hi.value };
  }
  const ip = parseIp(text);
  return ip ? { family: ip.family, lo: ip.value, hi: ip.value } : undefined;
}

/** `ip:port` or `[ip6]:port` (a DNAT destination); the port may be absent. */
export function parseEndpointText(
  text: string,
): { family: Family; ip: bigint; port: number | undefined } | undefined {
  let host = text;
  let port: string | undefined;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0) return undefined;
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return undefined;
      port = rest.slice(1);
    }
  } else {
    const colon = text.lastIndexOf(":");
    if (colon > 0 && text.indexOf(":") === colon) {
      host = text.slice(0, colon);
      port = text.slice(colon + 1);
    }
  }
  const ip = parseIp(host);
  if (!ip) return undefined;
  if (port === undefined) return { family: ip.family, ip: ip.value, port: undefined };
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return { family: ip.family, ip: ip.value, port: Number(port) };
}

/** Sorted, merged (overlapping and adjacent joined) copy of intervals. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** Whether `x` lies in sorted merged intervals (binary search). */
export function intervalsHave(list: readonly Interval[], x: bigint): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = list[mid]!;
    if (x < a) hi = mid - 1;
    else if (x > b) lo = mid + 1;
    else return true;
  }
  return false;
}
