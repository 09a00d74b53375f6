/**
 * A connection set as port matches. Protocols are TCP, UDP and SCTP (the model's); a set holding
 * every port of all three stands for "every connection", which a rule then states without any
 * protocol match — the reading of a NetworkPolicy rule without ports, so ICMP and other protocols
 * pass exactly where all of TCP, UDP and SCTP do.
 */
import { type ConnSet, connIsAll, MAX_PORT, MIN_PORT, PROTOCOLS, type Protocol } from "../model/index.js";

export interface ProtocolPorts {
  readonly protocol: Protocol;
  /** Flat [lo, hi, lo, hi, ...]; undefined: every port. */
  readonly intervals: readonly number[] | undefined;
}

/** undefined: every connection of every protocol. */
export function protocolPorts(c: ConnSet): ProtocolPorts[] | undefined {
  if (connIsAll(c)) return undefined;
  const out: ProtocolPorts[] = [];
  for (const protocol of PROTOCOLS) {
    const iv = c[protocol];
    if (iv.length === 0) continue;
    const full = iv.length === 2 && iv[0] === MIN_PORT && iv[1] === MAX_PORT;
    out.push({ protocol, intervals: full ? undefined : iv });
  }
  return out;
}

/** iptables `multiport` takes at most 15 ports, a range counting as two: intervals in such chunks. */
export function multiportChunks(intervals: readonly number[]): string[] {
  const chunks: string[] = [];
  let items: string[] = [];
  let used = 0;
  for (let i = 0; i < intervals.length; i += 2) {
    const lo = intervals[i]!;
    const hi = intervals[i + 1]!;
    const cost = lo === hi ? 1 : 2;
    if (used + cost > 15) {
      chunks.push(items.join(","));
      items = [];
      used = 0;
    }
    items.push(lo === hi ? `${lo}` : `${lo}:${hi}`);
    used += cost;
  }
  if (items.length > 0) chunks.push(items.join(","));
  return chunks;
}
