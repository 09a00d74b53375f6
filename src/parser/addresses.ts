/**
 * IP address checks shared by Services and Endpoints (k8s.io/kubernetes/pkg/apis/core/validation:
 * IsValidIP, ValidateNonSpecialIP / ValidateEndpointIP). An endpoint or external IP may not be
 * unspecified, loopback or link-local: traffic to it never leaves the node, or is node-centric
 * (e.g. a metadata service).
 */
import { type Family, type ParsedIp, parseIp } from "./cidr.js";
import type { PathSegment } from "./positions.js";
import type { Report } from "./report.js";

/** Checks an IP (NP2007; a leading zero in an octet is a warning) and returns it parsed. */
export function ipAt(
  r: Report,
  text: string,
  path: readonly PathSegment[],
  what = "IP address",
  family?: Family,
): ParsedIp | undefined {
  const ip = parseIp(text);
  if (!ip) {
    const hint = text.includes("/") ? "write a single address, without a prefix length" : undefined;
    r.error("NP2007", path, `invalid ${what} ${JSON.stringify(text)}`, hint);
    return undefined;
  }
  if (family !== undefined && ip.family !== family) {
    r.error("NP2007", path, `${what} ${JSON.stringify(text)} is not an IPv${family} address`);
    return undefined;
  }
  if (ip.leadingZeros)
    r.warn(
      "NP2007",
      path,
      `IP address ${JSON.stringify(text)} has an octet with a leading zero`,
      "some tools read leading zeros as octal; write the octets without them",
    );
  return ip;
}

/** Why an address cannot be an endpoint or external IP, or `undefined`. */
export function specialIp(ip: ParsedIp): string | undefined {
  const v = ip.value;
  if (ip.family === 4) {
    if (v === 0n) return "may not be unspecified (0.0.0.0)";
    if (v >> 24n === 127n) return "may not be in the loopback range (127.0.0.0/8)";
    if (v >> 16n === 0xa9fen) return "may not be in the link-local range (169.254.0.0/16)";
    if (v >> 8n === 0xe00000n) return "may not be in the link-local multicast range (224.0.0.0/24)";
    return undefined;
  }
  if (v === 0n) return "may not be unspecified (::)";
  if (v === 1n) return "may not be the loopback address (::1)";
  if (v >> 118n === 0x3fan) return "may not be in the link-local range (fe80::/10)";
  if (v >> 120n === 0xffn && ((v >> 112n) & 0x0fn) === 2n)
    return "may not be in the link-local multicast range (ff02::/16)";
  return undefined;
}

/** An IP that may be an endpoint or an external IP: valid (NP2007) and not special (NP2007). */
export function endpointIpAt(
  r: Report,
  text: string,
  path: readonly PathSegment[],
  what: string,
  family?: Family,
): ParsedIp | undefined {
  const ip = ipAt(r, text, path, what, family);
  const bad = ip ? specialIp(ip) : undefined;
  if (!bad) return ip;
  r.error("NP2007", path, `${what} ${text} ${bad}`, "use an address other hosts can reach");
  return undefined;
}
