/**
 * IP and CIDR syntax as the API server accepts it (Go's net.ParseIP / net.ParseCIDR, via the
 * "sloppy" parsers Kubernetes keeps for compatibility): dotted-quad IPv4 (leading zeros accepted but
 * flagged, since some tools read them as octal), IPv6 without zone, host bits allowed in a CIDR.
 * IPv4-mapped IPv6 addresses count as IPv4, as Go treats them.
 */
import ipaddr from "ipaddr.js";

export type Family = 4 | 6;

export interface ParsedIp {
  readonly family: Family;
  readonly value: bigint;
  /** IPv4 written with a leading zero in an octet (e.g. `010.0.0.1`). */
  readonly leadingZeros: boolean;
}

export interface ParsedCidr extends ParsedIp {
  readonly prefix: number;
  /** The network address (host bits cleared). */
  readonly network: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(text: string): ParsedIp | undefined {
  const m = IPV4.exec(text);
  if (m) {
    const octets = m.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    const value = octets.reduce((v, o) => (v << 8n) | BigInt(o), 0n);
    return { family: 4, value, leadingZeros: m.slice(1).some((o) => o.length > 1 && o.startsWith("0")) };
  }
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) {
    const value = v6
      .toIPv4Address()
      .toByteArray()
      .reduce((v, o) => (v << 8n) | BigInt(o), 0n);
    return { family: 4, value, leadingZeros: false };
  }
  return {
    family: 6,
    value: v6.toByteArray().reduce((v, o) => (v << 8n) | BigInt(o), 0n),
    leadingZeros: false,
  };
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bits)) return undefined;
  // A mapped address keeps the IPv6 prefix length in the text; measure it against 128 bits.
  const width = text.slice(0, slash).includes(":") ? 128 : 32;
  let prefix = Number(bits);
  if (prefix > width) return undefined;
  if (width === 128 && ip.family === 4) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  const total = ip.family === 4 ? 32 : 128;
  const hostBits = BigInt(total - prefix);
  const network = (ip.value >> hostBits) << hostBits;
  return { ...ip, prefix, network };
}

/** Whether `inner` is a strict subset of `outer` (same family, longer prefix, inside). */
export function strictlyInside(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const total = outer.family === 4 ? 32 : 128;
  const hostBits = BigInt(total - outer.prefix);
  return inner.network >> hostBits === outer.network >> hostBits;
}
