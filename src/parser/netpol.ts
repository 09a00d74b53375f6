/**
 * NetworkPolicy (networking.k8s.io/v1) value checks, following ValidateNetworkPolicySpec in
 * k8s.io/kubernetes/pkg/apis/networking/validation. Structure and types were checked by the schema.
 *
 * | field | rejected by the API server |
 * |---|---|
 * | peer | none of podSelector/namespaceSelector/ipBlock, or ipBlock with a selector |
 * | ipBlock.cidr / except | not a CIDR; an except not strictly inside cidr (host bits are accepted) |
 * | port | number outside 1..65535; a name that is not an IANA_SVC_NAME |
 * | endPort | without port, with a named port, below port, above 65535 |
 * | protocol | anything but TCP, UDP, SCTP (case-sensitive) |
 * | policyTypes | more than two entries (values are checked by the schema) |
 */
import { parseCidr, parseIp, strictlyInside } from "./cidr.js";
import { checkSelector } from "./labels.js";
import { ianaSvcName } from "./names.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

export const PROTOCOLS = ["TCP", "UDP", "SCTP"];

export function checkNetworkPolicy(r: Report, body: Record<string, unknown>): void {
  const spec = body.spec;
  if (!isPlainObject(spec)) return;
  checkSelector(r, spec.podSelector, ["spec", "podSelector"]);
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 2)
    r.error("NP2004", ["spec", "policyTypes"], "may not list more than two policy types");
  for (const [direction, peersKey] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: unknown, i) => {
      if (!isPlainObject(rule)) return;
      const peers = rule[peersKey];
      if (Array.isArray(peers))
        peers.forEach((p: unknown, j) => {
          checkPeer(r, p, ["spec", direction, i, peersKey, j]);
        });
      const ports = rule.ports;
      if (Array.isArray(ports))
        ports.forEach((p: unknown, j) => {
          checkPort(r, p, ["spec", direction, i, "ports", j]);
        });
    });
  }
}

function checkPeer(r: Report, peer: unknown, path: readonly PathSegment[]): void {
  if (!isPlainObject(peer)) return;
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (!selectors && peer.ipBlock === undefined)
    r.error(
      "NP2014",
      path,
      "a peer must set podSelector, namespaceSelector or ipBlock",
      "to allow every peer, omit the from/to list instead",
    );
  if (selectors && peer.ipBlock !== undefined)
    r.error(
      "NP2014",
      path,
      "ipBlock cannot be combined with podSelector or namespaceSelector in one peer",
      "make them separate items of the list",
    );
  checkSelector(r, peer.podSelector, [...path, "podSelector"]);
  checkSelector(r, peer.namespaceSelector, [...path, "namespaceSelector"]);
  if (isPlainObject(peer.ipBlock)) checkIpBlock(r, peer.ipBlock, [...path, "ipBlock"]);
}

function checkIpBlock(r: Report, block: Record<string, unknown>, path: readonly PathSegment[]): void {
  const cidr = typeof block.cidr === "string" ? cidrAt(r, block.cidr, [...path, "cidr"]) : undefined;
  if (!Array.isArray(block.except)) return;
  block.except.forEach((text: unknown, i) => {
    if (typeof text !== "string") return;
    const at = [...path, "except", i];
    const ex = cidrAt(r, text, at);
    if (!ex || !cidr) return;
    if (ex.family !== cidr.family)
      r.error(
        "NP2008",
        at,
        `except ${text} is IPv${ex.family} but cidr ${String(block.cidr)} is IPv${cidr.family}`,
      );
    else if (!strictlyInside(ex, cidr))
      r.error(
        "NP2008",
        at,
        `except ${text} is not strictly inside cidr ${String(block.cidr)}`,
        "every except must be a smaller block inside cidr",
      );
  });
}

/** Checks a CIDR (NP2007; a leading zero in an octet is a warning) and returns it parsed. */
export function cidrAt(r: Report, text: string, path: readonly PathSegment[]): ReturnType<typeof parseCidr> {
  const parsed = parseCidr(text);
  if (!parsed) {
    const hint =
      !text.includes("/") && parseIp(text)
        ? `add a prefix length, e.g. ${text}/${text.includes(":") ? 128 : 32}`
        : "write an address and a prefix length, e.g. 10.0.0.0/16";
    r.error("NP2007", path, `invalid CIDR ${JSON.stringify(text)}`, hint);
  } else if (parsed.leadingZeros)
    r.warn(
      "NP2007",
      path,
      `CIDR ${JSON.stringify(text)} has an octet with a leading zero`,
      "some tools read leading zeros as octal; write the octets without them",
    );
  return parsed;
}

export function checkProtocol(r: Report, protocol: unknown, path: readonly PathSegment[]): void {
  if (typeof protocol !== "string" || PROTOCOLS.includes(protocol)) return;
  const upper = protocol.toUpperCase();
  const hint = PROTOCOLS.includes(upper)
    ? `protocols are case-sensitive: use ${upper}`
    : upper.startsWith("ICMP")
      ? "ICMP is outside NetworkPolicy: rules match TCP, UDP and SCTP ports only, and ICMP handling is up to the network plugin"
      : "use TCP, UDP or SCTP";
  r.error("NP2011", path, `unsupported protocol ${JSON.stringify(protocol)}: must be TCP, UDP or SCTP`, hint);
}

export function portNumberProblem(n: number): string | undefined {
  return n >= 1 && n <= 65535 ? undefined : `port ${n} is out of range 1-65535`;
}

function checkPort(r: Report, p: unknown, path: readonly PathSegment[]): void {
  if (!isPlainObject(p)) return;
  checkProtocol(r, p.protocol, [...path, "protocol"]);
  const port = p.port;
  if (typeof port === "number") {
    const bad = portNumberProblem(port);
    if (bad)
      r.error("NP2009", [...path, "port"], bad, port === 0 ? "omit port to match every port" : undefined);
  } else if (typeof port === "string") {
    const bad = ianaSvcName(port);
    if (bad)
      r.error(
        "NP2009",
        [...path, "port"],
        `invalid named port ${JSON.stringify(port)}: ${bad}`,
        /^\d+$/.test(port) ? `a port number is written without quotes: port: ${port}` : undefined,
      );
  }
  const end = p.endPort;
  if (typeof end !== "number") return;
  const at = [...path, "endPort"];
  if (port === undefined)
    r.error("NP2010", at, "endPort requires port", "set port to the first port of the range");
  else if (typeof port === "string")
    r.error(
      "NP2010",
      at,
      `endPort cannot be used with a named port (${JSON.stringify(port)})`,
      "use a numeric port for a range",
    );
  else if (typeof port === "number" && end < port)
    r.error("NP2010", at, `endPort ${end} is smaller than port ${port}`);
  else if (end > 65535 || end < 1) r.error("NP2010", at, `endPort ${end} is out of range 1-65535`);
}
