/**
 * Services in nftables, shaped like kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go):
 *
 * | name                            | kind                                                        |
 * |---------------------------------|-------------------------------------------------------------|
 * | service-ips-v4 / -v6            | map addr . inet_proto . inet_service : verdict              |
 * | service-nodeports-v4 / -v6      | map inet_proto . inet_service : verdict (local addresses)   |
 * | no-endpoint-services-v4 / -v6   | map addr . inet_proto . inet_service : verdict (reject/drop) |
 * | service-<h>-ns/svc/proto/port   | `numgen random mod N vmap @service-endpoints-<h>-…`          |
 * | service-endpoints-<h>-…         | map: 0 : goto endpoint-…, 1 : …                               |
 * | local-…, external-…             | local endpoints only; external traffic (masquerade, then     |
 * |                                 | service-… or local-…)                                         |
 * | endpoint-<h>-…__ip/port         | hairpin marks, affinity update, `dnat ip to ip:port`          |
 * | affinity-<h>-…                  | set addr, flags dynamic,timeout (ClientIP affinity)          |
 * v6 chains carry a `6` after their kind (`service6-…`), as both families share one inet table.
 */
import type { IpFamily } from "../model/index.js";
import { ipText } from "./address-set.js";
import { hex, MASQ_MARK, SELF_MARK } from "./marks.js";
import { nftName } from "./names.js";
import { addrType, ipKey, type NftWriter } from "./nft-writer.js";
import type { EndpointPlan, ServicePortPlan } from "./services-plan.js";

export interface NftServiceChains {
  readonly services: string;
  readonly masquerading: string;
  readonly endpointsCheck: string;
}

export function nftServices(w: NftWriter, ports: readonly ServicePortPlan[]): NftServiceChains {
  const markMasq = w.chain("mark-for-masquerade", [`meta mark set meta mark | ${hex(MASQ_MARK)}`]);
  const reject = w.chain("reject-chain", ["reject"]);
  const serviceIps: Record<IpFamily, string[]> = { 4: [], 6: [] };
  const nodePorts: Record<IpFamily, string[]> = { 4: [], 6: [] };
  const noEndpoints: Record<IpFamily, string[]> = { 4: [], 6: [] };

  for (const sp of ports) {
    const f = sp.family;
    const suffix = f === 6 ? "6" : "";
    const proto = sp.protocol.toLowerCase();
    const base = `${sp.service.namespace}/${sp.service.name}/${proto}/${sp.port.name ?? ""}`;
    const local = sp.endpoints.filter((e) => e.local);
    const clusterEps = sp.clusterLocal ? local : sp.endpoints;
    const externalEps = sp.externalLocal ? local : sp.endpoints;
    const balance = (kind: string, eps: readonly EndpointPlan[]) =>
      balanceChain(w, nftName(`${kind}${suffix}-`, base), sp, eps, base);
    const key = (ip: (typeof sp.clusterIPs)[number]) => `${ipText(ip)} . ${proto} . ${sp.port.port}`;
    // 1. Cluster IPs.
    if (clusterEps.length > 0) {
      const chain = balance(sp.clusterLocal ? "local" : "service", clusterEps);
      for (const ip of sp.clusterIPs) serviceIps[f].push(`${key(ip)} : goto ${chain}`);
    } else for (const ip of sp.clusterIPs) noEndpoints[f].push(`${key(ip)} : goto ${reject}`);
    // 2. External IPs and node ports.
    const externalDestinations = sp.externalIPs.length > 0 || sp.nodePort !== undefined;
    if (externalEps.length > 0 && externalDestinations) {
      const inner = balance(sp.externalLocal ? "local" : "service", externalEps);
      const ext = w.chain(
        nftName(`external${suffix}-`, base),
        sp.externalLocal ? [`goto ${inner}`] : [`jump ${markMasq}`, `goto ${inner}`],
      );
      for (const ip of sp.externalIPs) serviceIps[f].push(`${key(ip)} : goto ${ext}`);
      if (sp.nodePort !== undefined) nodePorts[f].push(`${proto} . ${sp.nodePort} : goto ${ext}`);
    } else if (externalDestinations) {
      const verdict = sp.externalLocal && sp.endpoints.length > 0 ? "drop" : `goto ${reject}`;
      for (const ip of sp.externalIPs) noEndpoints[f].push(`${key(ip)} : ${verdict}`);
    }
  }

  const services: string[] = [];
  const check: string[] = [];
  for (const f of [4, 6] as const) {
    const k = ipKey(f);
    const at = `${addrType(f)} . inet_proto . inet_service : verdict`;
    w.set("map", `service-ips-v${f}`, at, [], serviceIps[f].sort());
    w.set("map", `service-nodeports-v${f}`, "inet_proto . inet_service : verdict", [], nodePorts[f].sort());
    w.set("map", `no-endpoint-services-v${f}`, at, [], noEndpoints[f].sort());
    services.push(`${k} daddr . meta l4proto . th dport vmap @service-ips-v${f}`);
    check.push(`${k} daddr . meta l4proto . th dport vmap @no-endpoint-services-v${f}`);
  }
  services.push(
    "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports-v4",
    "fib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports-v6",
  );
  return {
    services: w.chain("services", services),
    masquerading: w.chain("masquerading", [
      `meta mark & ${hex(MASQ_MARK)} == 0 return`,
      `meta mark set meta mark ^ ${hex(MASQ_MARK)}`,
      "masquerade fully-random",
    ]),
    endpointsCheck: w.chain("service-endpoints-check", check),
  };
}

/** The service (or local) chain and its endpoint chains; chains already written are reused. */
function balanceChain(
  w: NftWriter,
  name: string,
  sp: ServicePortPlan,
  eps: readonly EndpointPlan[],
  base: string,
): string {
  if (w.hasChain(name)) return name;
  const suffix = sp.family === 6 ? "6" : "";
  const k = ipKey(sp.family);
  const endpoints = eps.map((e) => {
    const readable = `${base}__${ipText(e.ip).replace(/:/g, ".")}/${e.port}`;
    const chain = nftName(`endpoint${suffix}-`, readable);
    const affinity = sp.affinitySeconds !== undefined ? nftName(`affinity${suffix}-`, readable) : undefined;
    if (affinity)
      w.set(
        "set",
        affinity,
        addrType(sp.family),
        ["dynamic", "timeout"],
        [],
        [`timeout ${sp.affinitySeconds}s`],
      );
    w.chain(chain, [
      `${k} saddr ${ipText(e.ip)} meta mark set meta mark | ${hex(MASQ_MARK | SELF_MARK)}`,
      ...(affinity ? [`update @${affinity} { ${k} saddr }`] : []),
      `meta l4proto ${sp.protocol.toLowerCase()} dnat ${k} to ${e.text}`,
    ]);
    return { chain, affinity };
  });
  const rules = endpoints.flatMap((e) => (e.affinity ? [`${k} saddr @${e.affinity} goto ${e.chain}`] : []));
  if (endpoints.length === 1) rules.push(`goto ${endpoints[0]!.chain}`);
  else {
    // A named map, not an anonymous one: nft 1.0.6 takes time quadratic in the number of
    // anonymous sets of a table (thousands of Services: minutes), named ones it handles far faster.
    const n = endpoints.length;
    const map = w.set(
      "map",
      `${name.replace(/^([a-z]+6?)-/, "$1-endpoints-")}`,
      `typeof numgen random mod ${n} : verdict`,
      [],
      endpoints.map((e, i) => `${i} : goto ${e.chain}`),
    );
    rules.push(`numgen random mod ${n} vmap @${map}`);
  }
  return w.chain(name, rules);
}
