/**
 * The nftables target: per node, one `table inet netpolc` (both families), replaced atomically by
 * `nft -f` (the file declares, deletes and redeclares the table in one transaction).
 *
 * Policy: verdict maps `egress-v4/-v6` (keyed by source) and `ingress-v4/-v6` (keyed by
 * destination) send local isolated pods to their group chain; a group chain matches its cells as
 * `ip saddr @peers… meta l4proto . th dport { tcp . 80-81, … }`. Services: verdict maps
 * `service-ips-v4/-v6` (`addr . inet_proto . inet_service`) and `service-nodeports-v4/-v6` lead to
 * a chain per Service port that picks an endpoint with `numgen random mod N vmap`. See docs/emit.md.
 */
import type { Analysis } from "../model/index.js";
import { baseName } from "./iptables.js";
import { hex, SELF_MARK } from "./marks.js";
import { hashName, nftName } from "./names.js";
import { addressMatch, addrType, ipKey, NftWriter, rangeElement } from "./nft-writer.js";
import { nftServices } from "./nftables-services.js";
import { type Cell, type FamilyPlan, type GroupChain, planPolicy } from "./plan.js";
import { protocolPorts } from "./ports-match.js";
import { planServices } from "./services-plan.js";
import type { Emission, EmitOptions } from "./types.js";

export const NFT_TABLE = "inet netpolc";

export function emitNftables(a: Analysis, options: EmitOptions = {}): Emission {
  const node = options.node;
  const policy = planPolicy(a, node);
  const services = planServices(a, node);
  const w = new NftWriter();

  // 1. Policy: group chains and the dispatch maps.
  const dispatch: string[] = [];
  let host = false;
  for (const fp of policy.families) {
    const k = ipKey(fp.family);
    for (const direction of ["egress", "ingress"] as const) {
      const map = `${direction}-v${fp.family}`;
      const entries: { lo: bigint; hi: bigint; text: string }[] = [];
      for (const g of fp[direction]) {
        const chain = groupChain(w, fp, g);
        for (const r of g.members.ranges)
          entries.push({ lo: r.lo, hi: r.hi, text: `${rangeElement(r)} : jump ${chain}` });
      }
      w.set("map", map, `${addrType(fp.family)} : verdict`, ["interval"], disjoint(entries));
    }
    dispatch.push(`${k} saddr vmap @egress-v${fp.family}`, `${k} daddr vmap @ingress-v${fp.family}`);
    if (fp.hostPods.ranges.length > 0) host = true;
  }

  // 2. Services.
  const svc = nftServices(w, services.ports);

  // 3. Base chains.
  const hairpin = `meta mark & ${hex(SELF_MARK)} == ${hex(SELF_MARK)} accept comment "a pod reaching itself through a Service"`;
  w.chain(
    "filter-forward",
    ["ct state established,related accept", `ct state new jump ${svc.endpointsCheck}`, hairpin, ...dispatch],
    "type filter hook forward priority filter; policy accept;",
  );
  const hostRules = host
    ? policy.families.flatMap((fp) =>
        fp.hostPods.ranges.length === 0
          ? []
          : [`${addressMatch(w, fp.hostPods, "saddr")} jump host-pods-v${fp.family}`],
      )
    : [];
  for (const fp of policy.families)
    if (fp.hostPods.ranges.length > 0) {
      const k = ipKey(fp.family);
      w.chain(`host-pods-v${fp.family}`, [
        `${k} saddr vmap @egress-v${fp.family}`,
        `${k} daddr vmap @ingress-v${fp.family}`,
      ]);
    }
  w.chain(
    "filter-output",
    ["ct state established,related accept", `ct state new jump ${svc.endpointsCheck}`, ...hostRules],
    "type filter hook output priority filter; policy accept;",
  );
  if (host)
    w.chain(
      "filter-input",
      [
        "ct state established,related accept",
        ...policy.families
          .filter((fp) => fp.hostPods.ranges.length > 0)
          .map(
            (fp) =>
              `${addressMatch(w, fp.hostPods, "daddr")} ${ipKey(fp.family)} daddr vmap @ingress-v${fp.family}`,
          ),
      ],
      "type filter hook input priority filter; policy accept;",
    );
  w.chain(
    "nat-prerouting",
    [`jump ${svc.services}`],
    "type nat hook prerouting priority dstnat; policy accept;",
  );
  w.chain("nat-output", [`jump ${svc.services}`], "type nat hook output priority -100; policy accept;");
  w.chain(
    "nat-postrouting",
    [`jump ${svc.masquerading}`],
    "type nat hook postrouting priority srcnat; policy accept;",
  );

  const content =
    `# netpolc nftables ruleset${node ? ` for node ${node}` : ""}: load with \`nft -f\` (replaces table ${NFT_TABLE} atomically)\n` +
    w.render(NFT_TABLE, `netpolc${node ? ` node ${node}` : ""}`);
  return {
    target: "nftables",
    node: node ?? "",
    files: [{ name: `${baseName(node)}.nft`, kind: "nft", content }],
    stats: {
      rules: w.rules,
      chains: w.chains,
      sets: w.sets,
      setElements: w.setElements,
      mapEntries: w.mapEntries,
      bytes: Buffer.byteLength(content),
    },
    warnings: [...policy.warnings, ...services.warnings],
  };
}

/** Map elements must not overlap: a range overlapping an earlier one (two pods sharing an IP) is left out. */
function disjoint(entries: { lo: bigint; hi: bigint; text: string }[]): string[] {
  entries.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  const out: string[] = [];
  let end = -1n;
  for (const e of entries) {
    if (e.lo <= end) continue;
    out.push(e.text);
    end = e.hi;
  }
  return out;
}

function groupChain(w: NftWriter, fp: FamilyPlan, g: GroupChain): string {
  const egress = g.direction === "egress";
  const name = nftName(`${g.direction}${fp.family}-`, g.readable, g.readable.slice(g.direction.length + 1));
  if (w.hasChain(name)) return name;
  const field = egress ? "daddr" : "saddr";
  const allow = egress ? "return" : "accept";
  const rules: string[] = [];
  const cells = (list: readonly Cell[]) => {
    for (const cell of list) {
      const ports = portMatch(w, cell.conn);
      rules.push(`${addressMatch(w, cell.peers, field)}${ports ? ` ${ports}` : ""} ${allow}`);
    }
  };
  cells(g.pods);
  if (g.external.length > 0) {
    rules.push(`${addressMatch(w, fp.pods, field)} drop`);
    cells(g.external);
  }
  rules.push(`drop comment "${g.readable.replace(/["\\]/g, "'").slice(0, 120)}"`);
  return w.chain(name, rules);
}

/**
 * The ports of a connection set: "" when it holds every connection; one protocol (and one port or
 * range) inline; else a named set shared by content, `inet_proto` (every port of some protocols)
 * or `inet_proto . inet_service` with intervals.
 */
export function portMatch(w: NftWriter, conn: Cell["conn"]): string {
  const pp = protocolPorts(conn);
  if (!pp) return "";
  const items: string[] = [];
  if (pp.every((p) => !p.intervals)) {
    const protos = pp.map((p) => p.protocol.toLowerCase());
    if (protos.length === 1) return `meta l4proto ${protos[0]}`;
    const name = w.set("set", `protocols-${protos.join("-")}`, "inet_proto", [], protos);
    return `meta l4proto @${name}`;
  }
  for (const { protocol, intervals } of pp) {
    const p = protocol.toLowerCase();
    const iv = intervals ?? [1, 65535];
    for (let i = 0; i < iv.length; i += 2)
      items.push(`${p} . ${iv[i] === iv[i + 1] ? iv[i] : `${iv[i]}-${iv[i + 1]}`}`);
  }
  if (items.length === 1) {
    const [p, port] = items[0]!.split(" . ");
    return `meta l4proto ${p} th dport ${port}`;
  }
  const name = w.set(
    "set",
    `ports-${hashName(items.join(","), 16)}`,
    "inet_proto . inet_service",
    ["interval"],
    items,
  );
  return `meta l4proto . th dport @${name}`;
}
