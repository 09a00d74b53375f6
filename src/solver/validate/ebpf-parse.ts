/**
 * The eBPF target's JSON document (`<node>.ebpf.json`, layout 1, docs/ebpf.md) read into the rule
 * model: ipcache, endpoints, per-endpoint policy maps, Service frontends and backend slots. Every
 * field is checked; a field the layout does not define, or a policy entry whose port block does not
 * agree with its prefix length, is an error.
 */
import { parseCidr, parseIp } from "../../model/index.js";
import { UnsupportedRule } from "./errors.js";
import type { EbpfConfig, Family, PolicyEntry } from "./ir.js";

const PROTOCOLS: Record<string, number> = { any: 0, TCP: 6, UDP: 17, SCTP: 132 };
const TOP = [
  "layout",
  "node",
  "pinRoot",
  "maps",
  "identities",
  "ipcache",
  "endpoints",
  "policies",
  "services",
  "backends",
  "notes",
];

type Json = Record<string, unknown>;

export function parseEbpfJson(file: string, content: string): EbpfConfig {
  const fail = (where: string, detail: string): never => {
    throw new UnsupportedRule(file, 0, `${where}: ${detail}`, "");
  };
  let doc: Json;
  try {
    doc = JSON.parse(content) as Json;
  } catch (e) {
    return fail("document", `not JSON (${(e as Error).message})`);
  }
  for (const k of Object.keys(doc)) if (!TOP.includes(k)) fail(k, "a section layout 1 does not define");
  if (doc.layout !== 1) fail("layout", `version ${String(doc.layout)} (only 1 is understood)`);
  const list = (k: string): Json[] => (Array.isArray(doc[k]) ? (doc[k] as Json[]) : fail(k, "not a list"));
  const only = (o: Json, where: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `field ${k} is not in layout 1`);
  };
  const int = (v: unknown, where: string): number =>
    Number.isInteger(v) && (v as number) >= 0
      ? (v as number)
      : fail(where, `${String(v)} is not a non-negative integer`);

  const ipcache = list("ipcache").map((e, i) => {
    const where = `ipcache[${i}]`;
    only(e, where, ["cidr", "identity", "node"]);
    const r = typeof e.cidr === "string" ? parseCidr(e.cidr) : undefined;
    if (!r) return fail(where, `${String(e.cidr)} is not a CIDR`);
    const bits = Number((e.cidr as string).split("/")[1]);
    return { family: r.family, lo: r.lo, bits, identity: int(e.identity, where), node: e.node === true };
  });
  const endpoints = list("endpoints").map((e, i) => {
    const where = `endpoints[${i}]`;
    only(e, where, ["ip", "pod", "identity", "policy", "enforce"]);
    const ip = typeof e.ip === "string" ? parseIp(e.ip) : undefined;
    if (!ip) return fail(where, `${String(e.ip)} is not an address`);
    const enforce = Array.isArray(e.enforce)
      ? (e.enforce as unknown[])
      : fail(where, "enforce is not a list");
    if (!enforce.every((x) => x === "ingress" || x === "egress"))
      fail(where, "enforce holds other than ingress/egress");
    return {
      family: ip.family,
      ip: ip.value,
      identity: int(e.identity, where),
      policy: e.policy === null ? undefined : int(e.policy, where),
      ingress: enforce.includes("ingress"),
      egress: enforce.includes("egress"),
    };
  });
  const policies = new Map<number, PolicyEntry[]>();
  list("policies").forEach((p, i) => {
    const where = `policies[${i}]`;
    only(p, where, ["id", "identities", "maxEntries", "entries"]);
    const id = int(p.id, where);
    if (policies.has(id)) fail(where, `policy ${id} is listed twice`);
    const entries = Array.isArray(p.entries) ? (p.entries as Json[]) : fail(where, "entries is not a list");
    policies.set(
      id,
      entries.map((e, j) => policyEntry(e, `${where}.entries[${j}]`, only, int, fail)),
    );
  });
  for (const e of endpoints)
    if (e.policy !== undefined && !policies.has(e.policy))
      fail("endpoints", `policy ${e.policy} is not defined`);
  const backends = new Map<number, { family: Family; ip: bigint; port: number }>();
  for (const [i, b] of list("backends").entries()) {
    const where = `backends[${i}]`;
    only(b, where, ["slot", "ip", "port", "pod"]);
    const ip = typeof b.ip === "string" ? parseIp(b.ip) : undefined;
    if (!ip) return fail(where, `${String(b.ip)} is not an address`);
    const slot = int(b.slot, where);
    if (backends.has(slot)) fail(where, `slot ${slot} is listed twice`);
    backends.set(slot, { family: ip.family, ip: ip.value, port: int(b.port, where) });
  }
  const services = list("services").map((s, i) => {
    const where = `services[${i}]`;
    only(s, where, ["frontend", "family", "kind", "service", "backends"]);
    const m =
      typeof s.frontend === "string"
        ? /^(\*|\[[^\]]+\]|[^:]+):(\d+)\/(TCP|UDP|SCTP)$/.exec(s.frontend)
        : null;
    if (!m || (s.family !== 4 && s.family !== 6))
      return fail(where, `frontend ${String(s.frontend)} is malformed`);
    const family = s.family as Family;
    let ip = 0n;
    if (m[1] !== "*") {
      const a = parseIp(m[1]!.replace(/^\[|\]$/g, ""));
      if (!a || a.family !== family) return fail(where, `frontend address ${m[1]} is not IPv${family}`);
      ip = a.value;
    }
    const b = s.backends as Json;
    only(b ?? {}, where, ["base", "count"]);
    return {
      family,
      ip,
      port: Number(m[2]),
      protocol: PROTOCOLS[m[3]!]!,
      base: int(b?.base, where),
      count: int(b?.count, where),
      text: `${String(s.frontend)} (${String(s.service)})`,
    };
  });
  return {
    node: typeof doc.node === "string" ? doc.node : "",
    ipcache,
    endpoints,
    policies,
    services,
    backends,
  };
}

function policyEntry(
  e: Json,
  where: string,
  only: (o: Json, where: string, keys: readonly string[]) => void,
  int: (v: unknown, where: string) => number,
  fail: (where: string, detail: string) => never,
): PolicyEntry {
  only(e, where, ["identity", "direction", "protocol", "ports", "prefixlen"]);
  if (e.direction !== "ingress" && e.direction !== "egress")
    return fail(where, "direction is not ingress/egress");
  const protocol = PROTOCOLS[String(e.protocol)];
  if (protocol === undefined) return fail(where, `protocol ${String(e.protocol)}`);
  const prefixlen = int(e.prefixlen, where);
  if (prefixlen < 40 || prefixlen > 64 || (prefixlen === 40) !== (protocol === 0))
    return fail(where, `prefix length ${prefixlen} with protocol ${String(e.protocol)}`);
  // The trie matches the first prefixlen bits of {identity, direction, protocol, dport}.
  let ports: [number, number] = [0, 65535];
  if (prefixlen > 48) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(e.ports));
    if (!m) return fail(where, `ports ${String(e.ports)}`);
    const size = 1 << (64 - prefixlen);
    const lo = Number(m[1]) & ~(size - 1);
    const hi = lo + size - 1;
    if (lo !== Number(m[1]) || hi !== Number(m[2] ?? m[1]))
      return fail(where, `ports ${String(e.ports)} are not the block of prefix length ${prefixlen}`);
    ports = [lo, hi];
  } else if (e.ports !== "any")
    return fail(where, `ports ${String(e.ports)} with prefix length ${prefixlen}`);
  return {
    identity: int(e.identity, where),
    egress: e.direction === "egress",
    protocol,
    ports,
    prefixlen,
    deny: false,
    text: `${where} ${JSON.stringify(e)}`,
  };
}
