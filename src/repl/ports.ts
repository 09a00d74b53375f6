/**
 * `on` lists of queries (the guarantee language's port specs) as connection sets, resolved by the
 * model's own rule for named ports (`resolvePorts`): a name stands for the destination's container
 * port of that name and protocol, and for nothing towards an address.
 */
import {
  ALL_CONN,
  type Analysis,
  type ConnSet,
  connIntersect,
  type PortMatch,
  resolvePorts,
} from "../model/index.js";
import { parsePortSpecs } from "../parser/guarantees/index.js";
import type { PortSpec } from "../parser/index.js";
import type { Segment } from "./command.js";
import { fromFragment, QUERY_FILE, type QueryError } from "./query-error.js";

export type Ports = readonly PortSpec[] | undefined;

export function parsePorts(query: string, seg: Segment | undefined): Ports | QueryError {
  if (!seg) return undefined;
  const r = parsePortSpecs(seg.text, QUERY_FILE);
  const error = r.diagnostics.find((d) => d.severity === "error");
  if (!r.ports || error) return fromFragment(query, seg.start, seg.text, error ?? r.diagnostics[0]!);
  return r.ports;
}

export function isQueryError(x: unknown): x is QueryError {
  return typeof x === "object" && x !== null && "diagnostic" in x;
}

function toMatch(s: PortSpec): PortMatch {
  switch (s.kind) {
    case "all":
      return { kind: "all" };
    case "protocol":
      return { kind: "protocol", protocol: s.protocol };
    case "range":
      return { kind: "range", protocol: s.protocol, from: s.from, to: s.to };
    case "named":
      return { kind: "named", protocol: s.protocol, name: s.name };
  }
}

/** The connections `ports` stands for towards an endpoint (a class, or an address atom). */
export function portsToward(a: Analysis, ports: Ports, endpoint: number): ConnSet {
  if (!ports) return ALL_CONN;
  const cls = endpoint < a.classCount ? a.index.classes[endpoint] : undefined;
  return resolvePorts(ports.map(toMatch), cls);
}

/** The part of `conn` inside `ports` towards the endpoint. */
export function within(a: Analysis, conn: ConnSet, ports: Ports, endpoint: number): ConnSet {
  return ports ? connIntersect(conn, portsToward(a, ports, endpoint)) : conn;
}

/** The port list as written, for answers: `TCP/5432, UDP/53`. */
export function portsText(ports: Ports): string {
  if (!ports) return "any port";
  return ports
    .map((p) =>
      p.kind === "all"
        ? "any port"
        : p.kind === "protocol"
          ? p.protocol
          : p.kind === "range"
            ? `${p.protocol}/${p.from === p.to ? p.from : `${p.from}-${p.to}`}`
            : `${p.protocol}/${p.name}`,
    )
    .join(", ");
}
