/**
 * The ipcache (address → identity, LPM) and the endpoint map (local pod address → identity, policy
 * map, enforced directions).
 *
 * ipcache: every atom as its CIDRs with its group's identity, then every pod address (cluster-wide:
 * peers on other nodes need identities too) as a host prefix with its class's identity; the longer
 * prefix wins in the trie. Node addresses carry the `node` flag (NodePort frontends apply to them).
 */
import type { Analysis, IpFamily } from "../../model/index.js";
import { formatIp } from "../../model/index.js";
import type { Identities } from "./identities.js";
import { IPCACHE_NODE } from "./layout.js";
import { rangeCidrs } from "./prefixes.js";

export interface IpcacheEntry {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly bits: number;
  readonly identity: number;
  readonly flags: number;
}

export interface EndpointEntry {
  readonly family: IpFamily;
  readonly value: bigint;
  /** `namespace/name` */
  readonly pod: string;
  readonly identity: number;
  readonly classIndex: number;
}

const WIDTH: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** The first ten names, and how many more. */
function names(list: readonly string[]): string {
  return list.length <= 10 ? list.join(", ") : `${list.slice(0, 10).join(", ")} and ${list.length - 10} more`;
}

function compareAddr(a: { family: number; value: bigint }, b: { family: number; value: bigint }): number {
  return a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

export function buildIpcache(a: Analysis, ids: Identities, notes: string[]): IpcacheEntry[] {
  const byKey = new Map<string, IpcacheEntry>();
  const put = (e: IpcacheEntry) => byKey.set(`${e.family}/${e.value}/${e.bits}`, e);
  // 1. Atoms.
  a.space.atoms.forEach((atom, i) => {
    const identity = ids.groups[ids.groupOfAtom[i]!]!.identity;
    for (const c of rangeCidrs(atom)) put({ ...c, identity, flags: 0 });
  });
  // 2. Pod addresses; the first pod of an address keeps it.
  const owner = new Map<string, string>();
  a.cluster.pods.forEach((p, i) => {
    const identity = ids.ofClass[a.index.classOfPod[i]!]!;
    for (const ip of p.ips) {
      const k = `${ip.family}/${ip.value}/${WIDTH[ip.family]}`;
      const name = `${p.namespace}/${p.name}`;
      const first = owner.get(k);
      if (first !== undefined) {
        if (byKey.get(k)!.identity !== identity)
          notes.push(
            `address ${formatIp(ip.family, ip.value)} of ${name} already belongs to ${first}: kept for ${first}`,
          );
        continue;
      }
      owner.set(k, name);
      put({ family: ip.family, value: ip.value, bits: WIDTH[ip.family], identity, flags: 0 });
    }
  });
  // 3. Node addresses.
  for (const n of a.cluster.nodes)
    for (const ip of n.addresses) {
      const k = `${ip.family}/${ip.value}/${WIDTH[ip.family]}`;
      const e = byKey.get(k);
      // An atom of its own (node addresses cut the address space), unless a hostNetwork pod owns it.
      if (e) put({ ...e, flags: e.flags | IPCACHE_NODE });
    }
  return [...byKey.values()].sort((x, y) => compareAddr(x, y) || x.bits - y.bits);
}

/** Endpoints: the addresses of the node's pods (every pod when `node` is undefined). */
export function buildEndpoints(
  a: Analysis,
  ids: Identities,
  node: string | undefined,
  notes: string[],
): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  const seen = new Set<string>();
  const noIp: string[] = [];
  const hostNetwork: string[] = [];
  a.cluster.pods.forEach((p, i) => {
    if (node !== undefined && p.nodeName !== node) return;
    const name = `${p.namespace}/${p.name}`;
    if (i === a.ingressControllerPod) return;
    if (p.hostNetwork) {
      hostNetwork.push(name);
      return;
    }
    if (p.ips.length === 0) noIp.push(name);
    const c = a.index.classOfPod[i]!;
    for (const ip of p.ips) {
      const k = `${ip.family}/${ip.value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ family: ip.family, value: ip.value, pod: name, identity: ids.ofClass[c]!, classIndex: c });
    }
  });
  if (a.ingressControllerPod !== undefined)
    notes.push(
      "the {ingress-controller} peer of the model has no address: the real controller's pods are policed as whatever their addresses are (pods or external)",
    );
  if (noIp.length > 0)
    notes.push(`${noIp.length} pods without an address are not endpoints (not enforced): ${names(noIp)}`);
  if (hostNetwork.length > 0)
    notes.push(
      `${hostNetwork.length} hostNetwork pods share their node's interfaces and are not endpoints: ${names(hostNetwork)}`,
    );
  return out.sort(compareAddr);
}
