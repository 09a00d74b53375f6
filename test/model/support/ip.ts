/**
 * A deliberately tiny, independent IP parser for the test oracle (the model uses ipaddr.js; the
 * oracle must not share its code). Dotted-quad IPv4 and IPv6 with at most one `::`; no zones, no
 * embedded IPv4. Throws on anything else: generated input is always well formed.
 */
export type Family = 4 | 6;

export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: Family;
  readonly lo: bigint;
  readonly hi: bigint;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

export function maxOf(family: Family): bigint {
  return (1n << BigInt(WIDTH[family])) - 1n;
}

const ipCache = new Map<string, Ip>();
const cidrCache = new Map<string, Cidr>();

export function parseIp(text: string): Ip {
  const cached = ipCache.get(text);
  if (cached) return cached;
  const ip = parseIpUncached(text);
  ipCache.set(text, ip);
  return ip;
}

export function parseCidr(text: string): Cidr {
  const cached = cidrCache.get(text);
  if (cached) return cached;
  const c = parseCidrUncached(text);
  cidrCache.set(text, c);
  return c;
}

function parseIpUncached(text: string): Ip {
  if (text.includes(":")) return { family: 6, value: parseV6(text) };
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new Error(`oracle: bad IPv4 ${text}`);
  return { family: 4, value: parts.reduce((v, p) => (v << 8n) | BigInt(p), 0n) };
}

function parseV6(text: string): bigint {
  const halves = text.split("::");
  if (halves.length > 2) throw new Error(`oracle: bad IPv6 ${text}`);
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) throw new Error(`oracle: bad IPv6 ${text}`);
  const all = [...head, ...Array<string>(fill).fill("0"), ...tail];
  return all.reduce((v, g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`oracle: bad IPv6 ${text}`);
    return (v << 16n) | BigInt(Number.parseInt(g, 16));
  }, 0n);
}

/** Strict: host bits must be zero (generated CIDRs always are). */
function parseCidrUncached(text: string): Cidr {
  const [addr, bits] = text.split("/");
  const ip = parseIp(addr!);
  const prefix = Number(bits);
  const host = BigInt(WIDTH[ip.family] - prefix);
  const lo = ip.value;
  if ((lo >> host) << host !== lo) throw new Error(`oracle: host bits set in ${text}`);
  return { family: ip.family, lo, hi: lo + (1n << host) - 1n };
}

export function cidrHas(c: Cidr, ip: Ip): boolean {
  return c.family === ip.family && c.lo <= ip.value && ip.value <= c.hi;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(":");
}
