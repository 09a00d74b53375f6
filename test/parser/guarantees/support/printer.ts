/**
 * Prints a guarantee AST back to source text, for round-trip properties: parsing the output gives
 * the same AST (positions and `text` aside). Binary operands are parenthesised, so precedence never
 * matters; everything else is printed in the plainest form the grammar reads back unchanged.
 */
import type {
  Claim,
  Guarantee,
  LabelRequirement,
  NamespaceExpr,
  PortSpec,
  SetExpr,
  WithinEntry,
} from "../../../../src/parser/guarantees/index.js";

export interface PrintStyle {
  /** Write label values as double-quoted strings. */
  readonly quoteValues?: boolean;
  /** Write protocols in upper case. */
  readonly upperProtocols?: boolean;
}

export function printGuarantee(g: Pick<Guarantee, "name" | "claim">, style: PrintStyle = {}): string {
  return `guarantee ${g.name}: ${printClaim(g.claim, style)}`;
}

export function printClaim(claim: Claim, style: PrintStyle = {}): string {
  switch (claim.kind) {
    case "reach": {
      const ports = claim.ports ? ` on ${printPorts(claim.ports, style)}` : "";
      return `${claim.verdict} from ${printSet(claim.from, style)} to ${printSet(claim.to, style)}${ports}`;
    }
    case "isolated":
      return `isolated ${claim.direction} for ${printSet(claim.subject, style)}`;
    case "within":
      return `${claim.direction} of ${printSet(claim.subject, style)} within { ${claim.entries
        .map((e) => printEntry(e, style))
        .join(", ")} }`;
  }
}

/** An entry that would start with `tcp/…` (a namespace called `tcp`) is parenthesised: unparenthesised, a comma before it continues the previous entry's ports. */
function printEntry(entry: WithinEntry, style: PrintStyle): string {
  let peers = printSet(entry.peers, style);
  if (/^(tcp|udp|sctp)(\/|$|\s)/i.test(peers)) peers = `(${peers})`;
  return entry.ports ? `${peers} on ${printPorts(entry.ports, style)}` : peers;
}

export function printPorts(ports: readonly PortSpec[], style: PrintStyle = {}): string {
  return ports.map((p) => printPort(p, style)).join(", ");
}

function printPort(port: PortSpec, style: PrintStyle): string {
  if (port.kind === "all") return "any";
  const protocol = style.upperProtocols ? port.protocol : port.protocol.toLowerCase();
  switch (port.kind) {
    case "protocol":
      return protocol;
    case "range":
      return port.from === port.to ? `${protocol}/${port.from}` : `${protocol}/${port.from}-${port.to}`;
    case "named":
      return `${protocol}/${port.name}`;
  }
}

export function printSet(set: SetExpr, style: PrintStyle = {}): string {
  switch (set.kind) {
    case "or":
    case "and":
    case "except":
      return `(${printSet(set.left, style)}) ${set.kind} (${printSet(set.right, style)})`;
    case "not":
      return `not (${printSet(set.operand, style)})`;
    case "pods": {
      const domain = set.domain ? `${set.domain} ` : "";
      const labels = set.labels ? `(${printLabels(set.labels, style)})` : "";
      // `namespace NAME` alone reads back the same, except after `any`, where a keyword would end the phrase.
      if (!set.labels && set.namespace?.kind === "name" && set.domain !== "any")
        return `${domain}namespace ${set.namespace.name}`;
      const scope = set.namespace ? ` in ${printNamespace(set.namespace, style)}` : "";
      return `${domain}pods${labels}${scope}`;
    }
    case "workload":
      return `${set.workloadKind ?? "workload"} ${set.namespace}/${set.name}`;
    case "service":
      return `service ${set.namespace}/${set.name}`;
    case "ref":
      return `${set.namespace}/${set.name}`;
    case "cidr":
      return set.text;
    case "external":
      return "external";
    case "anything":
      return "anything";
  }
}

function printNamespace(ns: NamespaceExpr, style: PrintStyle): string {
  if (ns.kind === "name") return `namespace ${ns.name}`;
  return ns.labels.length === 0 ? "any namespace" : `namespace(${printLabels(ns.labels, style)})`;
}

function printLabels(labels: readonly LabelRequirement[], style: PrintStyle): string {
  return labels.map((l) => printRequirement(l, style)).join(", ");
}

function printRequirement(r: LabelRequirement, style: PrintStyle): string {
  const value = (v: string) => (style.quoteValues || v === "" ? JSON.stringify(v) : v);
  switch (r.operator) {
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
    case "In":
      return r.values.length === 1
        ? `${r.key}=${value(r.values[0]!)}`
        : `${r.key} in (${r.values.map(value).join(", ")})`;
    case "NotIn":
      return r.values.length === 1
        ? `${r.key}!=${value(r.values[0]!)}`
        : `${r.key} notin (${r.values.map(value).join(", ")})`;
  }
}

/** The AST without positions, for comparing a parse with the AST it was printed from. */
export function withoutSource<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSource) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    if (k !== "source" && v !== undefined) out[k] = withoutSource(v);
  return out as T;
}
