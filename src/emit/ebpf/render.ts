/**
 * Rendering the map state: a `bpftool batch` file (the bytes of every key and value, layout 1) and
 * a JSON document (one field per struct member, readable, for review and golden files). Both are
 * pure text builders with a deterministic order.
 */
import { formatIp, formatRange, type IpFamily } from "../../model/index.js";
import {
  backendValue,
  EP_EGRESS,
  EP_INGRESS,
  endpointKey,
  endpointValue,
  hex,
  ipcacheKey,
  ipcacheValue,
  LAYOUT_VERSION,
  MAPS,
  type MapSpec,
  NO_POLICY,
  POLICY_MAP,
  PREFIX_PROTOCOL,
  policyKey,
  policyValue,
  serviceKey,
  serviceValue,
  u32Key,
} from "./layout.js";
import type { PolicyEntry } from "./policy.js";
import { frontendText, protocolNumber } from "./services.js";
import type { EbpfState } from "./state.js";

export interface MapSize extends MapSpec {
  readonly entries: number;
  /** Key and value bytes of the entries. */
  readonly bytes: number;
}

/** Per-endpoint policy maps are sized 16384 like Cilium's, or larger when one needs more. */
export function policyMapCapacity(entries: number): number {
  return entries <= POLICY_MAP.maxEntries ? POLICY_MAP.maxEntries : 2 ** Math.ceil(Math.log2(entries));
}

export function mapSizes(s: EbpfState): MapSize[] {
  const size = (spec: MapSpec, entries: number): MapSize => ({
    ...spec,
    entries,
    bytes: entries * (spec.keySize + spec.valueSize),
  });
  const policyEntries = s.policies.reduce((n, p) => n + p.entries.length, 0);
  return [
    size(MAPS.ipcache, s.ipcache.length),
    size(MAPS.endpoints, s.endpoints.length),
    size(MAPS.policies, s.policies.length),
    size(
      { name: "policy_*", ...POLICY_MAP, maxEntries: POLICY_MAP.maxEntries * s.policies.length },
      policyEntries,
    ),
    size(MAPS.services, s.services.length),
    size(MAPS.backends, s.backends.length),
  ];
}

/** Capacity problems: a map holding more than the program's max_entries. */
export function capacityNotes(sizes: readonly MapSize[]): string[] {
  return sizes
    .filter((m) => m.name !== "policy_*" && m.entries > m.maxEntries)
    .map((m) => `${m.name} needs ${m.entries} entries, more than its max_entries ${m.maxEntries}`);
}

// --- bpftool batch ---------------------------------------------------------------------------

export function renderBatch(s: EbpfState, pinRoot: string): string {
  const out: string[] = [];
  const update = (map: string, key: number[], value: number[]) =>
    out.push(`map update pinned ${pinRoot}/${map} key hex ${hex(key)} value hex ${hex(value)}`);
  out.push(
    `# netpolc eBPF maps, layout ${LAYOUT_VERSION} (docs/ebpf.md); node: ${s.node || "every pod"}`,
    `# Load into a program loaded with: bpftool prog loadall netpolc.bpf.o ${pinRoot}/progs pinmaps ${pinRoot}`,
    `# after removing the policy maps of a previous load (rm -f ${pinRoot}/policy_*): bpftool batch file <this file>`,
  );
  out.push("# per-endpoint policy maps: {prefixlen, identity, egress, protocol, dport} -> {flags}");
  for (const p of s.policies) {
    const name = `policy_${p.id}`;
    out.push(
      `map create ${pinRoot}/${name} type lpm_trie key ${POLICY_MAP.keySize} value ${POLICY_MAP.valueSize} entries ${policyMapCapacity(p.entries.length)} name np_pol_${p.id} flags 1`,
    );
    for (const e of p.entries)
      update(name, policyKey(e.prefixlen, e.identity, e.egress, e.protocol, e.port), policyValue(false));
  }
  for (const p of s.policies)
    out.push(
      `map update pinned ${pinRoot}/${MAPS.policies.name} key hex ${hex(u32Key(p.id))} value pinned ${pinRoot}/policy_${p.id}`,
    );
  out.push("# ipcache: {prefixlen, cluster, family, address} -> {identity, flags}");
  for (const e of s.ipcache)
    update(MAPS.ipcache.name, ipcacheKey(e.family, e.value, e.bits), ipcacheValue(e.identity, e.flags));
  out.push("# backends: slot -> {address, port, family}");
  for (const b of s.backends)
    update(MAPS.backends.name, u32Key(b.slot), backendValue(b.family, b.value, b.port));
  out.push("# services: {address, port, protocol, family} -> {first slot, count, flags}");
  for (const f of s.services)
    update(
      MAPS.services.name,
      serviceKey(f.family, f.value, f.port, protocolNumber(f.protocol)),
      serviceValue(f.base, f.count, 0),
    );
  out.push("# endpoints (last: they switch enforcement on): {address, family} -> {identity, policy, flags}");
  for (const e of s.endpoints)
    update(MAPS.endpoints.name, endpointKey(e.family, e.value), endpointValue(e.identity, e.policy, e.flags));
  return `${out.join("\n")}\n`;
}

// --- JSON ------------------------------------------------------------------------------------

const PROTOCOL_NAME: Record<number, string> = { 0: "any", 6: "TCP", 17: "UDP", 132: "SCTP" };

function ports(e: PolicyEntry): string {
  if (e.prefixlen <= PREFIX_PROTOCOL) return "any";
  const span = 1 << (16 - (e.prefixlen - PREFIX_PROTOCOL));
  const lo = e.port;
  const hi = e.port + span - 1;
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

const cidr = (family: IpFamily, value: bigint, bits: number) => `${formatIp(family, value)}/${bits}`;

export function renderJson(s: EbpfState, pinRoot: string, sizes: readonly MapSize[]): string {
  const a = s.analysis;
  const identities: object[] = [];
  for (const g of s.identities.groups)
    identities.push({
      identity: g.identity,
      kind: g.identity === 2 ? "world" : "cidr",
      ranges: g.atoms.map((i) => formatRange(a.space.atoms[i]!)),
    });
  const classes = a.index.classes
    .map((c) => ({ c, id: s.identities.ofClass[c.index]! }))
    .sort((x, y) => x.id - y.id);
  for (const { c, id } of classes)
    identities.push({
      identity: id,
      kind: "pods",
      namespace: c.namespace,
      labels: Object.fromEntries(Object.entries(c.labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
      ...(c.hostNetwork ? { hostNetwork: true } : {}),
      pods: c.pods.map((i) => `${a.cluster.pods[i]!.namespace}/${a.cluster.pods[i]!.name}`).sort(),
    });
  const sections: [string, unknown][] = [
    ["layout", LAYOUT_VERSION],
    ["node", s.node],
    ["pinRoot", pinRoot],
    ["maps", sizes],
    ["identities", identities],
    [
      "ipcache",
      s.ipcache.map((e) => ({
        cidr: cidr(e.family, e.value, e.bits),
        identity: e.identity,
        ...(e.flags ? { node: true } : {}),
      })),
    ],
    [
      "endpoints",
      s.endpoints.map((e) => ({
        ip: formatIp(e.family, e.value),
        pod: e.pod,
        identity: e.identity,
        policy: e.policy === NO_POLICY ? null : e.policy,
        enforce: [...(e.flags & EP_INGRESS ? ["ingress"] : []), ...(e.flags & EP_EGRESS ? ["egress"] : [])],
      })),
    ],
    [
      "policies",
      s.policies.map((p) => ({
        id: p.id,
        identities: p.identities,
        maxEntries: policyMapCapacity(p.entries.length),
        entries: p.entries.map((e) => ({
          identity: e.identity,
          direction: e.egress ? "egress" : "ingress",
          protocol: PROTOCOL_NAME[e.protocol],
          ports: ports(e),
          prefixlen: e.prefixlen,
        })),
      })),
    ],
    [
      "services",
      s.services.map((f) => ({
        frontend: frontendText(f.family, f.value, f.port, f.protocol),
        family: f.family,
        kind: f.kind,
        service: f.service,
        backends: { base: f.base, count: f.count },
      })),
    ],
    [
      "backends",
      s.backends.map((b) => ({ slot: b.slot, ip: formatIp(b.family, b.value), port: b.port, pod: b.pod })),
    ],
    ["notes", s.notes],
  ];
  return `{\n${sections.map(([k, v]) => `  ${JSON.stringify(k)}: ${block(v)}`).join(",\n")}\n}\n`;
}

/** Arrays one element per line, nested arrays of entries indented; scalars inline. */
function block(v: unknown): string {
  if (!Array.isArray(v)) return JSON.stringify(v);
  if (v.length === 0) return "[]";
  return `[\n${v.map((x) => `    ${element(x)}`).join(",\n")}\n  ]`;
}

function element(x: unknown): string {
  if (x && typeof x === "object" && "entries" in x && Array.isArray((x as { entries: unknown }).entries)) {
    const { entries, ...head } = x as { entries: unknown[] };
    const inner = entries.map((e) => `        ${JSON.stringify(e)}`).join(",\n");
    const h = JSON.stringify(head);
    return `${h.slice(0, -1)},"entries":${entries.length === 0 ? "[]" : `[\n${inner}\n      ]`}}`;
  }
  return JSON.stringify(x);
}
