/**
 * The iptables filter table of one family: NetworkPolicy (all tiers, as the engine folded them).
 *
 * ```
 * FORWARD ─► NETPOLC-FORWARD   ESTABLISHED,RELATED → ACCEPT (replies and later packets)
 *                              NETPOLC-SERVICES    (REJECT Service ports without endpoints)
 *                              SELF mark → ACCEPT  (a pod reaching itself through a Service)
 *                              NETPOLC-EGRESS   ─ member set (src) ─► NETPOLC-EGR-<hash>  RETURN | DROP
 *                              NETPOLC-INGRESS  ─ member set (dst) ─► NETPOLC-ING-<hash>  ACCEPT | DROP
 * OUTPUT / INPUT ─► NETPOLC-OUTPUT / NETPOLC-INPUT (only with policed hostNetwork pods)
 * ```
 * A group chain lists its pod cells (peer set × ports), then drops every other pod address, then
 * lists its external cells, then drops. Peer sets of more than INLINE_MAX CIDRs are ipsets.
 */
import type { IpFamily } from "../model/index.js";
import { type AddressSet, cidrsOf, ipText } from "./address-set.js";
import { hex, SELF_MARK } from "./marks.js";
import { iptablesName } from "./names.js";
import type { Cell, FamilyPlan, GroupChain } from "./plan.js";
import { multiportChunks, protocolPorts } from "./ports-match.js";
import type { ServicePortPlan } from "./services-plan.js";

/** Peer sets with at most this many CIDRs are written inline (one rule per CIDR). */
export const INLINE_MAX = 4;

/** One table of a restore payload; rules are written grouped by chain, in declaration order. */
export class Table {
  readonly chains: string[] = [];
  private readonly byChain = new Map<string, string[]>();
  private count = 0;
  constructor(readonly name: "filter" | "nat") {}
  chain(name: string): string {
    if (!this.byChain.has(name)) {
      this.byChain.set(name, []);
      this.chains.push(name);
    }
    return name;
  }
  has(name: string): boolean {
    return this.byChain.has(name);
  }
  add(chain: string, spec: string): void {
    this.chain(chain);
    this.byChain.get(chain)!.push(`-A ${chain} ${spec}`);
    this.count++;
  }
  get rules(): number {
    return this.count;
  }
  render(): string {
    const rules = this.chains.flatMap((c) => this.byChain.get(c)!);
    return [`*${this.name}`, ...this.chains.map((c) => `:${c} - [0:0]`), ...rules, "COMMIT", ""].join("\n");
  }
}

/** The ipsets one payload refers to, rendered as an `ipset restore` file. */
export class IpsetWriter {
  private readonly sets = new Map<string, { name: string; set: AddressSet; cidrs: string[] }>();
  name(kind: string, set: AddressSet, cidrs: string[]): string {
    let s = this.sets.get(set.key);
    if (!s) {
      s = { name: iptablesName(`NETPOLC-${kind}${set.family}-`, set.key), set, cidrs };
      this.sets.set(set.key, s);
    }
    return s.name;
  }
  get count(): number {
    return this.sets.size;
  }
  get elements(): number {
    let n = 0;
    for (const s of this.sets.values()) n += s.cidrs.length;
    return n;
  }
  render(): string {
    const lines = ["# netpolc ipsets: load with `ipset restore -exist` before the iptables payloads."];
    const sorted = [...this.sets.values()].sort((x, y) => (x.name < y.name ? -1 : 1));
    for (const s of sorted) {
      let maxelem = 65536;
      while (maxelem < s.cidrs.length) maxelem *= 2;
      const family = s.set.family === 4 ? "inet" : "inet6";
      lines.push(
        `create ${s.name} hash:net family ${family} hashsize 1024 maxelem ${maxelem}`,
        `flush ${s.name}`,
      );
      for (const c of s.cidrs) lines.push(`add ${s.name} ${c}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

export function comment(text: string): string {
  const t = text.replace(/["\\]/g, "'");
  return `-m comment --comment "${t.length > 250 ? `${t.slice(0, 247)}...` : t}"`;
}

/** Matches for an address set: inline CIDRs, or one ipset. */
function addressMatches(set: AddressSet, side: "src" | "dst", kind: string, ipsets: IpsetWriter): string[] {
  const cidrs = cidrsOf(set);
  const flag = side === "src" ? "-s" : "-d";
  if (cidrs.length <= INLINE_MAX) return cidrs.map((c) => `${flag} ${c}`);
  return [`-m set --match-set ${ipsets.name(kind, set, cidrs)} ${side}`];
}

/** Port matches for a connection set; [""] when it holds every connection. */
export function portMatches(cell: Cell["conn"]): string[] {
  const pp = protocolPorts(cell);
  if (!pp) return [""];
  const out: string[] = [];
  for (const { protocol, intervals } of pp) {
    const p = protocol.toLowerCase();
    if (!intervals) {
      out.push(`-p ${p}`);
      continue;
    }
    for (const chunk of multiportChunks(intervals)) {
      out.push(
        chunk.includes(",") ? `-p ${p} -m multiport --dports ${chunk}` : `-p ${p} -m ${p} --dport ${chunk}`,
      );
    }
  }
  return out;
}

function groupChain(t: Table, g: GroupChain, pods: AddressSet, ipsets: IpsetWriter): string {
  const egress = g.direction === "egress";
  const name = t.chain(iptablesName(egress ? "NETPOLC-EGR-" : "NETPOLC-ING-", g.readable));
  const side = egress ? "dst" : "src";
  const allow = egress ? "RETURN" : "ACCEPT";
  const cells = (list: readonly Cell[]) => {
    for (const cell of list)
      for (const m of addressMatches(cell.peers, side, "P", ipsets))
        for (const p of portMatches(cell.conn)) t.add(name, `${m}${p ? ` ${p}` : ""} -j ${allow}`);
  };
  cells(g.pods);
  if (g.external.length > 0) {
    for (const m of addressMatches(pods, side, "P", ipsets)) t.add(name, `${m} -j DROP`);
    cells(g.external);
  }
  t.add(name, `${comment(g.readable)} -j DROP`);
  return name;
}

/** The filter table of one family. `ports`: for rejecting Service ports without endpoints. */
export function filterTable(
  family: IpFamily,
  plan: FamilyPlan | undefined,
  ports: readonly ServicePortPlan[],
  ipsets: IpsetWriter,
): Table {
  const t = new Table("filter");
  const forward = t.chain("NETPOLC-FORWARD");
  const services = t.chain("NETPOLC-SERVICES");
  const egress = t.chain("NETPOLC-EGRESS");
  const ingress = t.chain("NETPOLC-INGRESS");
  t.add(forward, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  t.add(forward, "-m conntrack --ctstate NEW -j NETPOLC-SERVICES");
  t.add(
    forward,
    `${comment("a pod reaching itself through a Service")} -m mark --mark ${hex(SELF_MARK)}/${hex(SELF_MARK)} -j ACCEPT`,
  );
  t.add(forward, `-j ${egress}`);
  t.add(forward, `-j ${ingress}`);
  rejectWithoutEndpoints(t, services, family, ports);
  if (plan) {
    for (const g of plan.egress) {
      const chain = groupChain(t, g, plan.pods, ipsets);
      for (const m of addressMatches(g.members, "src", "M", ipsets)) t.add(egress, `${m} -j ${chain}`);
    }
    for (const g of plan.ingress) {
      const chain = groupChain(t, g, plan.pods, ipsets);
      for (const m of addressMatches(g.members, "dst", "M", ipsets)) t.add(ingress, `${m} -j ${chain}`);
    }
    // Policed hostNetwork pods send from and receive at the node's own stack.
    if (plan.hostPods.ranges.length > 0) {
      const output = t.chain("NETPOLC-OUTPUT");
      const input = t.chain("NETPOLC-INPUT");
      t.add(output, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
      t.add(output, `-j ${services}`);
      for (const m of addressMatches(plan.hostPods, "src", "H", ipsets)) {
        t.add(output, `${m} -j ${egress}`);
        t.add(output, `${m} -j ${ingress}`);
      }
      t.add(input, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
      for (const m of addressMatches(plan.hostPods, "dst", "H", ipsets)) t.add(input, `${m} -j ${ingress}`);
    }
  }
  return t;
}

/** kube-proxy's filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES: ports nobody can serve. */
function rejectWithoutEndpoints(
  t: Table,
  chain: string,
  family: IpFamily,
  ports: readonly ServicePortPlan[],
): void {
  const reject =
    family === 4
      ? "REJECT --reject-with icmp-port-unreachable"
      : "REJECT --reject-with icmp6-port-unreachable";
  const bits = family === 4 ? 32 : 128;
  for (const sp of ports) {
    const p = sp.protocol.toLowerCase();
    const clusterEps = sp.clusterLocal ? sp.endpoints.filter((e) => e.local) : sp.endpoints;
    const externalEps = sp.externalLocal ? sp.endpoints.filter((e) => e.local) : sp.endpoints;
    if (clusterEps.length === 0)
      for (const ip of sp.clusterIPs)
        t.add(
          chain,
          `${comment(`${sp.name} has no endpoints`)} -d ${ipText(ip)}/${bits} -p ${p} -m ${p} --dport ${sp.port.port} -j ${reject}`,
        );
    if (externalEps.length === 0)
      for (const ip of sp.externalIPs)
        t.add(
          chain,
          `${comment(`${sp.name} has no ${sp.externalLocal && sp.endpoints.length > 0 ? "local " : ""}endpoints`)} -d ${ipText(ip)}/${bits} -p ${p} -m ${p} --dport ${sp.port.port} -j ${sp.externalLocal && sp.endpoints.length > 0 ? "DROP" : reject}`,
        );
  }
}
