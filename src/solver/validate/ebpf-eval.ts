/**
 * The eBPF program's decision on a first packet, read from its maps (docs/ebpf.md, layout 1):
 *
 * 1. The packet comes from a local pod when its source is an endpoint (`from_pod`), else from
 *    elsewhere (`to_pod` of a local destination); other packets are not this node's.
 * 2. A source endpoint that enforces egress looks up {identity of the destination (ipcache, longest
 *    prefix; 0 when absent), egress, protocol, port} in its policy map; a destination endpoint that
 *    enforces ingress looks up the source's identity (its endpoint entry when it is a local pod,
 *    else the ipcache).
 * 3. A lookup allows when an entry of the peer's identity matches, else when an entry of identity
 *    0 matches (each entry: protocol 0 = any; a port block of its prefix length).
 * Services are lowered to the rule model's nat hook (`natRuleset`): an exact frontend, else a
 * NodePort on an address the ipcache flags as a Node's; count 0 drops; else one of the slots.
 */
import { intervalsHave, mergeIntervals, WIDTH } from "./addr.js";
import { UnsupportedRule } from "./errors.js";
import type { F, Fm, V } from "./formula.js";
import type { Action, Chain, EbpfConfig, Family, Interval, PolicyEntry, Rule, Ruleset } from "./ir.js";
import {
  CODE_NUMBER,
  type ConcretePacket,
  type Packet,
  PORT_BITS,
  PROTO_BITS,
  PROTO_CODES,
} from "./packet.js";

interface TrieNode {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly identity: number;
  readonly children: TrieNode[];
}

interface EndpointGroup {
  readonly ips: Interval[];
  readonly identity: number;
  readonly policy: number | undefined;
  readonly ingress: boolean;
  readonly egress: boolean;
}

export class EbpfMaps {
  private readonly roots: Record<Family, TrieNode[]> = { 4: [], 6: [] };
  private readonly endpointOf: Record<Family, Map<bigint, EbpfConfig["endpoints"][number]>> = {
    4: new Map(),
    6: new Map(),
  };
  private readonly groups: Record<Family, EndpointGroup[]> = { 4: [], 6: [] };
  private readonly endpointIps: Record<Family, Interval[]> = { 4: [], 6: [] };
  readonly nodeAddresses: Record<Family, Interval[]> = { 4: [], 6: [] };

  constructor(
    readonly file: string,
    readonly cfg: EbpfConfig,
  ) {
    for (const f of [4, 6] as const) {
      this.roots[f] = trie(
        cfg.ipcache.filter((e) => e.family === f),
        f,
      );
      this.nodeAddresses[f] = mergeIntervals(
        cfg.ipcache
          .filter((e) => e.family === f && e.node)
          .map((e) => [e.lo, e.lo + (1n << BigInt(WIDTH[f] - e.bits)) - 1n] as const),
      );
      const byKey = new Map<string, EndpointGroup>();
      for (const e of cfg.endpoints) {
        if (e.family !== f) continue;
        if (this.endpointOf[f].has(e.ip))
          throw new UnsupportedRule(file, 0, "an endpoint address is listed twice", String(e.ip));
        if ((e.ingress || e.egress) && e.policy === undefined)
          throw new UnsupportedRule(
            file,
            0,
            "an endpoint enforces a direction without a policy map",
            String(e.ip),
          );
        this.endpointOf[f].set(e.ip, e);
        const key = `${e.identity}/${e.policy}/${e.ingress}/${e.egress}`;
        let g = byKey.get(key);
        if (!g) {
          g = { ips: [], identity: e.identity, policy: e.policy, ingress: e.ingress, egress: e.egress };
          byKey.set(key, g);
        }
        g.ips.push([e.ip, e.ip]);
      }
      this.groups[f] = [...byKey.values()].map((g) => ({ ...g, ips: mergeIntervals(g.ips) }));
      this.endpointIps[f] = mergeIntervals(
        cfg.endpoints.filter((e) => e.family === f).map((e) => [e.ip, e.ip] as const),
      );
    }
  }

  // --- symbolic -------------------------------------------------------------------------------

  allowed(fm: Fm, p: Packet): F {
    const f = p.family;
    const bits = WIDTH[f];
    const dstId = this.identity(fm, p.dst, f);
    // The source's identity: its endpoint entry when it is a local pod, else the ipcache's.
    let srcId: V = this.identity(fm, p.src, f);
    if (typeof p.src !== "bigint") {
      const y = fm.bvConst("srcIdentity", 32);
      for (const g of this.groups[f])
        fm.defs.push(toB(fm, fm.implies(fm.inSet(p.src, g.ips, bits), fm.eqV(y, BigInt(g.identity), 32))));
      fm.defs.push(
        toB(fm, fm.implies(fm.not(fm.inSet(p.src, this.endpointIps[f], bits)), fm.eqV(y, srcId, 32))),
      );
      srcId = y;
    } else {
      const e = this.endpointOf[f].get(p.src);
      if (e) srcId = BigInt(e.identity);
    }
    const parts: F[] = [];
    for (const g of this.groups[f]) {
      if (g.egress)
        parts.push(fm.implies(fm.inSet(p.src, g.ips, bits), this.lookup(fm, g.policy!, true, dstId, p)));
      if (g.ingress)
        parts.push(fm.implies(fm.inSet(p.dst, g.ips, bits), this.lookup(fm, g.policy!, false, srcId, p)));
    }
    return fm.and(...parts);
  }

  /** The ipcache's identity of an address (longest prefix; 0 when no prefix holds it). */
  private identity(fm: Fm, x: V, f: Family): V {
    if (typeof x === "bigint") return BigInt(this.identityOf(x, f));
    const bits = WIDTH[f];
    const id = fm.bvConst("identity", 32);
    const visit = (nodes: readonly TrieNode[]): F => {
      const ins: F[] = [];
      for (const n of nodes) {
        const here = fm.inInterval(x, n.lo, n.hi, bits);
        const deeper = visit(n.children);
        fm.defs.push(toB(fm, fm.implies(fm.and(here, fm.not(deeper)), fm.eqV(id, BigInt(n.identity), 32))));
        ins.push(here);
      }
      return fm.cut(fm.or(...ins), "inTrie");
    };
    const any = visit(this.roots[f]);
    fm.defs.push(toB(fm, fm.implies(fm.not(any), fm.eqV(id, 0n, 32))));
    return id;
  }

  private lookup(fm: Fm, policy: number, egress: boolean, peer: V, p: Packet): F {
    const entries = (this.cfg.policies.get(policy) ?? []).filter((e) => e.egress === egress);
    const byIdentity = new Map<number, PolicyEntry[]>();
    for (const e of entries) {
      const l = byIdentity.get(e.identity);
      if (l) l.push(e);
      else byIdentity.set(e.identity, [e]);
    }
    const conn = (list: readonly PolicyEntry[]) => fm.or(...list.map((e) => entryHolds(fm, e, p)));
    const own = [...byIdentity]
      .filter(([i]) => i !== 0)
      .map(([i, list]) => fm.and(fm.eqV(peer, BigInt(i), 32), conn(list)));
    return fm.or(...own, conn(byIdentity.get(0) ?? []));
  }

  // --- concrete -------------------------------------------------------------------------------

  identityOf(x: bigint, f: Family): number {
    let id = 0;
    let nodes = this.roots[f];
    for (;;) {
      const n = nodes.find((m) => m.lo <= x && x <= m.hi);
      if (!n) return id;
      id = n.identity;
      nodes = n.children;
    }
  }

  allowedConcrete(p: ConcretePacket): { allowed: boolean; why: string[] } {
    const f = p.family;
    const why: string[] = [];
    const src = this.endpointOf[f].get(p.src);
    const dst = this.endpointOf[f].get(p.dst);
    let allowed = true;
    const check = (ep: NonNullable<typeof src>, egress: boolean, peer: number) => {
      const entries = (this.cfg.policies.get(ep.policy!) ?? []).filter((e) => e.egress === egress);
      const pk = concretePacket(p);
      const hit = (id: number) =>
        entries.find((e) => e.identity === id && entryHolds(undefined, e, pk) === true);
      const e = hit(peer) ?? hit(0);
      why.push(
        `${egress ? "egress" : "ingress"} of endpoint identity ${ep.identity} (policy ${ep.policy}) for peer identity ${peer}: ${e ? `allowed by ${e.text}` : "no entry"}`,
      );
      if (!e) allowed = false;
    };
    if (src?.egress) check(src, true, this.identityOf(p.dst, f));
    if (dst?.ingress) check(dst, false, src ? src.identity : this.identityOf(p.src, f));
    if (!src?.egress && !dst?.ingress) why.push("no endpoint enforces a direction of this packet");
    return { allowed, why };
  }

  // --- services -------------------------------------------------------------------------------

  natRuleset(): Ruleset {
    const rules: Rule[] = [];
    const chains = new Map<string, Chain>();
    const line = (text: string, matches: Rule["matches"], action: Action): Rule => ({
      line: 0,
      file: this.file,
      text,
      matches,
      actions: [action],
    });
    const ordered = [...this.cfg.services].sort((x, y) => Number(x.ip === 0n) - Number(y.ip === 0n));
    for (const s of ordered) {
      const addr: Rule["matches"][number] =
        s.ip === 0n
          ? {
              kind: "lookup",
              key: [{ kind: "addr", field: "dst", family: s.family }],
              elements: this.nodeAddresses[s.family].map((r) => [r]),
              negate: false,
            }
          : {
              kind: "lookup",
              key: [{ kind: "addr", field: "dst", family: s.family }],
              elements: [[[s.ip, s.ip]]],
              negate: false,
            };
      const matches = [
        addr,
        {
          kind: "lookup",
          key: [{ kind: "l4proto" }],
          elements: [[[BigInt(s.protocol), BigInt(s.protocol)]]],
          negate: false,
        } as const,
        {
          kind: "lookup",
          key: [{ kind: "dport" }],
          elements: [[[BigInt(s.port), BigInt(s.port)]]],
          negate: false,
        } as const,
      ];
      if (s.count === 0) {
        rules.push(line(s.text, matches, { kind: "drop" }));
        continue;
      }
      const key = `ebpf/slots/${s.base}/${s.count}`;
      if (!chains.has(key)) {
        const entries = Array.from({ length: s.count }, (_, i) => {
          const b = this.cfg.backends.get(s.base + i);
          if (!b || b.family !== s.family)
            throw new UnsupportedRule(
              this.file,
              0,
              `backend slot ${s.base + i} is missing or of the other family`,
              s.text,
            );
          return { value: i, action: { kind: "dnat", family: b.family, ip: b.ip, port: b.port } as const };
        });
        chains.set(key, {
          name: key,
          rules: [line(`slots ${s.base}+${s.count}`, [], { kind: "numgen", modulus: s.count, entries })],
        });
      }
      rules.push(line(s.text, matches, { kind: "goto", chain: key }));
    }
    chains.set("ebpf/services", { name: "ebpf/services", rules });
    return {
      target: "nftables",
      families: [4, 6],
      chains,
      hooks: [{ kind: "nat", hook: "prerouting", priority: -100, policy: "accept", chain: "ebpf/services" }],
    };
  }

  isEndpoint(f: Family, ip: bigint): boolean {
    return intervalsHave(this.endpointIps[f], ip);
  }
}

function toB(fm: Fm, x: F) {
  return typeof x === "boolean" ? fm.c.Bool.val(x) : x;
}

function concretePacket(p: ConcretePacket): Packet {
  return {
    family: p.family,
    src: p.src,
    dst: p.dst,
    proto: BigInt(PROTO_CODES.indexOf(p.proto)),
    dport: BigInt(p.dport),
    dstLocal: p.dstLocal,
  };
}

/** Whether a policy entry holds for the packet's protocol and port. */
function entryHolds(fm: Fm | undefined, e: PolicyEntry, p: Packet): F {
  if (e.deny) throw new Error("deny entries are rejected when parsed");
  if (e.protocol === 0) return true;
  const code = CODE_NUMBER.indexOf(e.protocol);
  if (code < 0) return false;
  if (!fm) {
    const port = Number(p.dport);
    return p.proto === BigInt(code) && e.ports[0] <= port && port <= e.ports[1];
  }
  return fm.and(
    fm.eqV(p.proto, BigInt(code), PROTO_BITS),
    fm.inInterval(p.dport, BigInt(e.ports[0]), BigInt(e.ports[1]), PORT_BITS),
  );
}

/** The ipcache of one family as a tree of nested prefixes (CIDRs nest or are disjoint); a repeated prefix keeps its last entry. */
function trie(entries: EbpfConfig["ipcache"], f: Family): TrieNode[] {
  const width = WIDTH[f];
  const unique = new Map<string, TrieNode>();
  for (const e of entries) {
    const hi = e.lo + (1n << BigInt(width - e.bits)) - 1n;
    unique.set(`${e.lo}/${e.bits}`, { lo: e.lo, hi, identity: e.identity, children: [] });
  }
  const sorted = [...unique.values()].sort((x, y) =>
    x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : x.hi > y.hi ? -1 : x.hi < y.hi ? 1 : 0,
  );
  const roots: TrieNode[] = [];
  const stack: TrieNode[] = [];
  for (const n of sorted) {
    while (stack.length > 0 && stack[stack.length - 1]!.hi < n.lo) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.children : roots).push(n);
    stack.push(n);
  }
  return roots;
}
