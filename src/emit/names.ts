/**
 * Stable names, as kube-proxy derives them: a readable name is hashed with SHA-256, encoded in
 * RFC 4648 base32 (`A–Z2–7`) and truncated, so a name changes only when what it stands for does.
 *
 * | target   | form                                              | limit                   |
 * |----------|---------------------------------------------------|-------------------------|
 * | iptables | `NETPOLC-XXX-` + first 16 base32 chars            | chain names ≤ 28 chars  |
 * | ipset    | `NETPOLC-XX-` + first 16 base32 chars             | set names ≤ 31 chars    |
 * | nftables | `kind-` + first 8 base32 chars + `-` + readable   | names ≤ 256 chars       |
 */
import { createHash } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 with padding (Go's `base32.StdEncoding`). */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}

export function hashName(readable: string, length: number): string {
  return base32(createHash("sha256").update(readable).digest()).slice(0, length);
}

/** `prefix` + 16 hash characters: kube-proxy's `portProtoHash` / `servicePortEndpointChainName` form. */
export function iptablesName(prefix: string, readable: string): string {
  return `${prefix}${hashName(readable, 16)}`;
}

/**
 * kube-proxy nftables' `hashAndTruncate`: 8 hash characters, then the readable name (or a shorter
 * `display` form of it; kept within
 * the 256-character name limit). nft identifiers are letters, digits and `/ - _ .`: IPv6 colons
 * become dots (as kube-proxy writes them) and anything else an underscore.
 */
export function nftName(prefix: string, readable: string, display: string = readable): string {
  const safe = display.replace(/:/g, ".").replace(/[^A-Za-z0-9_./-]/g, "_");
  const name = `${prefix}${hashName(readable, 8)}-${safe}`;
  return name.length > 240 ? `${name.slice(0, 237)}...` : name;
}

/**
 * kube-proxy's `computeProbability`: Go `%0.10f` of the double 1/n. Go rounds the exact binary
 * value half to even; JavaScript's toFixed rounds half up, which differs on exact ties (n = 2048:
 * 0.00048828125 → Go 0.0004882812), so the digits are computed exactly here.
 */
export function probability(n: number): string {
  let p = probabilities.get(n);
  if (p === undefined) {
    p = computeProbability(n);
    probabilities.set(n, p);
  }
  return p;
}

const probabilities = new Map<number, string>();

function computeProbability(n: number): string {
  const x = 1 / n;
  // The double as num / 2^k exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & ((1n << 52n) - 1n)) | (exp === 0 ? 0n : 1n << 52n);
  const k = 1075 - (exp === 0 ? 1 : exp);
  const [num, den] = k >= 0 ? [mant, 1n << BigInt(k)] : [mant << BigInt(-k), 1n];
  const scaled = num * 10n ** 10n;
  let q = scaled / den;
  const r2 = (scaled % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(11, "0");
  return `${digits.slice(0, -10)}.${digits.slice(-10)}`;
}
