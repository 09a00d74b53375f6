/**
 * The iptables nat table of one family: Services, the way kube-proxy's iptables mode writes them
 * (names, statistic cascade and affinity as in pkg/proxy/iptables/proxier.go, with NETPOLC- for KUBE-).
 *
 * ```
 * PREROUTING, OUTPUT ─► NETPOLC-SERVICES  -d clusterIP -p P --dport port ─► NETPOLC-SVC-<h> (or -SVL-)
 *                                         -d externalIP …                ─► NETPOLC-EXT-<h>
 *                                         addrtype LOCAL (last)          ─► NETPOLC-NODEPORTS ─► NETPOLC-EXT-<h>
 * NETPOLC-EXT-<h>  Cluster policy: mark for masquerade, then NETPOLC-SVC-<h>; Local: NETPOLC-SVL-<h>
 * NETPOLC-SVC-<h>  [recent --rcheck per endpoint] statistic 1/(n−i) ─► NETPOLC-SEP-<h> (last: unconditional)
 * NETPOLC-SEP-<h>  -s <endpoint> → MASQ|SELF marks (hairpin); [recent --set] DNAT to endpoint
 * POSTROUTING ─► NETPOLC-POSTROUTING  MASQ mark → clear it, MASQUERADE
 * ```
 * SVC/SVL/EXT hash `ServicePortName + protocol`, SEP adds the endpoint (`ip:port`): kube-proxy's
 * names with netpolc's prefix, so the hashes are the ones kube-proxy would compute.
 */
import type { IpFamily } from "../model/index.js";
import { ipText } from "./address-set.js";
import { comment, Table } from "./iptables-policy.js";
import { hex, MASQ_MARK, SELF_MARK } from "./marks.js";
import { iptablesName, probability } from "./names.js";
import type { EndpointPlan, ServicePortPlan } from "./services-plan.js";

/** kube-proxy's largeClusterEndpointsThreshold: above it, per-endpoint comments are left out. */
const LARGE_CLUSTER_ENDPOINTS = 1000;

export function natTable(family: IpFamily, ports: readonly ServicePortPlan[]): Table {
  const t = new Table("nat");
  const services = t.chain("NETPOLC-SERVICES");
  const nodeports = t.chain("NETPOLC-NODEPORTS");
  const postrouting = t.chain("NETPOLC-POSTROUTING");
  const markMasq = t.chain("NETPOLC-MARK-MASQ");
  const bits = family === 4 ? 32 : 128;
  const endpoints = ports.reduce((n, p) => n + p.endpoints.length, 0);
  const large = endpoints > LARGE_CLUSTER_ENDPOINTS;
  const note = (text: string) => (large ? "" : `${comment(text)} `);
  const written = new Set<string>();

  for (const sp of ports) {
    const proto = sp.protocol.toLowerCase();
    const base = `${sp.name}${proto}`;
    const local = sp.endpoints.filter((e) => e.local);
    const clusterEps = sp.clusterLocal ? local : sp.endpoints;
    const externalEps = sp.externalLocal ? local : sp.endpoints;
    const svc = iptablesName("NETPOLC-SVC-", base);
    const svl = iptablesName("NETPOLC-SVL-", base);
    const ext = iptablesName("NETPOLC-EXT-", base);
    const target = (local: boolean) => (local ? svl : svc);
    const dport = `-p ${proto} -m ${proto} --dport ${sp.port.port}`;
    // 1. Destinations.
    if (clusterEps.length > 0)
      for (const ip of sp.clusterIPs)
        t.add(
          services,
          `${comment(`${sp.name} cluster IP`)} -d ${ipText(ip)}/${bits} ${dport} -j ${t.chain(target(sp.clusterLocal))}`,
        );
    const external = externalEps.length > 0 && (sp.externalIPs.length > 0 || sp.nodePort !== undefined);
    if (external) {
      for (const ip of sp.externalIPs)
        t.add(
          services,
          `${comment(`${sp.name} external IP`)} -d ${ipText(ip)}/${bits} ${dport} -j ${t.chain(ext)}`,
        );
      if (sp.nodePort !== undefined)
        t.add(
          nodeports,
          `${comment(sp.name)} -p ${proto} -m ${proto} --dport ${sp.nodePort} -j ${t.chain(ext)}`,
        );
      // 2. External traffic: masqueraded under the Cluster policy (the reply must come back
      // through this node); kept with its source address under Local.
      if (sp.externalLocal) t.add(ext, `-j ${t.chain(svl)}`);
      else {
        t.add(ext, `${comment(`masquerade traffic for ${sp.name} external destinations`)} -j ${markMasq}`);
        t.add(ext, `-j ${t.chain(svc)}`);
      }
    }
    // 3. Endpoint choice and translation, for the chains in use.
    if (t.has(svc)) balance(t, svc, sp, sp.endpoints, base, note, written);
    if (t.has(svl)) balance(t, svl, sp, local, base, note, written);
  }
  t.add(
    services,
    `${comment("node ports; this must be the last rule in this chain")} -m addrtype --dst-type LOCAL${family === 4 ? " ! -d 127.0.0.0/8" : ""} -j ${nodeports}`,
  );
  t.add(markMasq, `-j MARK --or-mark ${hex(MASQ_MARK)}`);
  t.add(postrouting, `-m mark ! --mark ${hex(MASQ_MARK)}/${hex(MASQ_MARK)} -j RETURN`);
  t.add(postrouting, `-j MARK --xor-mark ${hex(MASQ_MARK)}`);
  t.add(postrouting, `${comment("netpolc service traffic requiring SNAT")} -j MASQUERADE --random-fully`);
  return t;
}

/** kube-proxy's writeServiceToEndpointRules, then one SEP chain per endpoint. */
function balance(
  t: Table,
  chain: string,
  sp: ServicePortPlan,
  eps: readonly EndpointPlan[],
  base: string,
  note: (text: string) => string,
  written: Set<string>,
): void {
  const proto = sp.protocol.toLowerCase();
  const seps = eps.map((e) => iptablesName("NETPOLC-SEP-", `${base}${e.text}`));
  if (sp.affinitySeconds !== undefined)
    eps.forEach((e, i) => {
      t.add(
        chain,
        `${note(`${sp.name} -> ${e.text}`)}-m recent --name ${seps[i]} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${seps[i]}`,
      );
    });
  eps.forEach((e, i) => {
    const last = i === eps.length - 1;
    const stat = last ? "" : `-m statistic --mode random --probability ${probability(eps.length - i)} `;
    t.add(chain, `${note(`${sp.name} -> ${e.text}`)}${stat}-j ${t.chain(seps[i]!)}`);
  });
  eps.forEach((e, i) => {
    const sep = seps[i]!;
    if (written.has(sep)) return;
    written.add(sep);
    const bits = e.ip.family === 4 ? 32 : 128;
    // Hairpin: a pod translated to itself is masqueraded (else its reply bypasses the node) and
    // marked so the filter table lets it through — a pod may always reach itself.
    t.add(sep, `${note(sp.name)}-s ${ipText(e.ip)}/${bits} -j MARK --or-mark ${hex(MASQ_MARK | SELF_MARK)}`);
    const recent = sp.affinitySeconds !== undefined ? `-m recent --name ${sep} --set ` : "";
    t.add(sep, `${note(sp.name)}${recent}-p ${proto} -m ${proto} -j DNAT --to-destination ${e.text}`);
  });
}
