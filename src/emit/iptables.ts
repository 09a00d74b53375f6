/**
 * The iptables target: per node, an `iptables-restore --noflush` payload (IPv4), an
 * `ip6tables-restore` one when IPv6 pods or Services exist, and an `ipset restore` file when a peer
 * set is large. See docs/emit.md for the layout, iptables-policy.ts and iptables-nat.ts for the tables.
 */
import type { Analysis, IpFamily } from "../model/index.js";
import { natTable } from "./iptables-nat.js";
import { filterTable, IpsetWriter, type Table } from "./iptables-policy.js";
import { planPolicy } from "./plan.js";
import { planServices } from "./services-plan.js";
import type { Emission, EmitOptions, EmittedFile } from "./types.js";

export interface BuiltinJump {
  readonly table: "filter" | "nat";
  readonly chain: string;
  /** The rule, without `-A/-I chain`. */
  readonly rule: string;
}

/** File names: `<node>.<ext>`, or `netpolc.<ext>` when every pod is local. */
export function baseName(node: string | undefined): string {
  return node ? node : "netpolc";
}

export function emitIptables(a: Analysis, options: EmitOptions = {}): Emission {
  const node = options.node;
  const policy = planPolicy(a, node);
  const services = planServices(a, node);
  const ipsets = new IpsetWriter();
  const files: EmittedFile[] = [];
  let rules = 0;
  let chains = 0;
  for (const family of [4, 6] as const) {
    const plan = policy.families.find((f) => f.family === family);
    const ports = services.ports.filter((p) => p.family === family);
    if (family === 6 && !plan && ports.length === 0) continue;
    const filter = filterTable(family, plan, ports, ipsets);
    const nat = natTable(family, ports);
    rules += filter.rules + nat.rules;
    chains += filter.chains.length + nat.chains.length;
    files.push({
      name: `${baseName(node)}.${family === 4 ? "iptables" : "ip6tables"}`,
      kind: family === 4 ? "iptables-restore" : "ip6tables-restore",
      content: header(family, node, jumps(filter, nat)) + filter.render() + nat.render(),
    });
  }
  if (ipsets.count > 0)
    files.unshift({ name: `${baseName(node)}.ipset`, kind: "ipset-restore", content: ipsets.render() });
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  return {
    target: "iptables",
    node: node ?? "",
    files,
    stats: { rules, chains, sets: ipsets.count, setElements: ipsets.elements, mapEntries: 0, bytes },
    warnings: [...policy.warnings, ...services.warnings],
  };
}

function jumps(filter: Table, nat: Table): BuiltinJump[] {
  const out: BuiltinJump[] = [
    { table: "filter", chain: "FORWARD", rule: "-j NETPOLC-FORWARD" },
    { table: "filter", chain: "OUTPUT", rule: "-m conntrack --ctstate NEW -j NETPOLC-SERVICES" },
  ];
  if (filter.has("NETPOLC-OUTPUT"))
    out.push(
      { table: "filter", chain: "OUTPUT", rule: "-j NETPOLC-OUTPUT" },
      { table: "filter", chain: "INPUT", rule: "-j NETPOLC-INPUT" },
    );
  if (nat.has("NETPOLC-SERVICES"))
    out.push(
      { table: "nat", chain: "PREROUTING", rule: "-j NETPOLC-SERVICES" },
      { table: "nat", chain: "OUTPUT", rule: "-j NETPOLC-SERVICES" },
      { table: "nat", chain: "POSTROUTING", rule: "-j NETPOLC-POSTROUTING" },
    );
  return out;
}

const JUMP = "# jump: ";

function header(family: IpFamily, node: string | undefined, list: readonly BuiltinJump[]): string {
  const tool = family === 4 ? "iptables" : "ip6tables";
  return [
    `# netpolc ${tool}-restore payload (IPv${family})${node ? ` for node ${node}` : ""}: load with \`${tool}-restore --noflush\``,
    "# (after the .ipset file, if any). It declares, and so flushes, only netpolc's own chains.",
    "# A restore cannot add a rule to a built-in chain idempotently, so the jumps into netpolc's chains",
    `# are installed once, as kube-proxy does: \`${tool} -t T -C CHAIN RULE || ${tool} -t T -I CHAIN 1 RULE\` for`,
    ...list.map((j) => `${JUMP}${j.table} ${j.chain} ${j.rule}`),
    "",
  ].join("\n");
}

/** The jumps a payload asks for (its `# jump:` header lines). */
export function builtinJumps(content: string): BuiltinJump[] {
  const out: BuiltinJump[] = [];
  for (const line of content.split("\n")) {
    if (!line.startsWith(JUMP)) {
      if (!line.startsWith("#")) break;
      continue;
    }
    const [table, chain, ...rule] = line.slice(JUMP.length).split(" ");
    out.push({ table: table as BuiltinJump["table"], chain: chain!, rule: rule.join(" ") });
  }
  return out;
}
