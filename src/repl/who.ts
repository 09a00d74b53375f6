/**
 * `who can reach B [on P]` and `what can A reach [on P]`: the focused peer's rows (workloads,
 * external ranges, the ingress controller) and the hypothetical peers of exposure analysis — "any
 * pod with labels … in namespace …" that a rule admits although no such pod exists yet.
 */
import { connIntersect, connIsEmpty, formatConn, formatPeer } from "../model/index.js";
import { type Answer, errorAnswer } from "./answer.js";
import type { Command, Segment } from "./command.js";
import { focusRows } from "./focus.js";
import { isQueryError, parsePorts, portsText, portsToward } from "./ports.js";
import { queryError } from "./query-error.js";
import type { Session } from "./session.js";
import { resolveTarget } from "./targets.js";

export function answerFocus(
  s: Session,
  query: string,
  cmd: Extract<Command, { kind: "who" | "what" }>,
): Answer {
  const state = s.state;
  const seg: Segment = cmd.kind === "who" ? cmd.to : cmd.from;
  const t = resolveTarget(state, query, seg, "source");
  if (isQueryError(t)) return errorAnswer(query, t);
  if (t.kind !== "peer" || !t.listing)
    return errorAnswer(
      query,
      queryError(
        "NP9001",
        `\`${cmd.kind === "who" ? "who can reach" : "what can"}\` takes a workload or pod (ns/name); for sets of pods ask \`can SET reach …\``,
        seg,
      ),
    );
  const ports = parsePorts(query, cmd.ports);
  if (isQueryError(ports)) return errorAnswer(query, ports);
  const direction = cmd.kind === "who" ? "ingress" : "egress";
  const rows = focusRows(state, t.listing, direction, ports);
  const a = state.analysis;
  const d0 = t.listing.classes[0]!;
  const hypothetical =
    t.listing.ref.kind === "workload"
      ? state
          .exposureOf(t.name, direction)
          .map((e) => ({
            peer: e.peer.display,
            conn: ports
              ? connIntersect(e.conn, direction === "ingress" ? portsToward(a, ports, d0) : e.conn)
              : e.conn,
          }))
          .filter((e) => !connIsEmpty(e.conn))
      : [];
  const on = ports ? ` on ${portsText(ports)}` : "";
  const head =
    direction === "ingress"
      ? `${rows.length} peer${rows.length === 1 ? "" : "s"} can reach ${t.name}${on}`
      : `${t.name} can reach ${rows.length} peer${rows.length === 1 ? "" : "s"}${on}`;
  const lines = [
    head,
    ...rows.map((r) => `  ${formatPeer(r.src)} => ${formatPeer(r.dst)} : ${formatConn(r.conn)}`),
  ];
  if (hypothetical.length > 0) {
    lines.push(
      direction === "ingress"
        ? "and pods that do not exist yet:"
        : "and pods that do not exist yet, if deployed:",
    );
    for (const h of hypothetical)
      lines.push(
        direction === "ingress"
          ? `  ${hypotheticalText(h.peer)} => ${t.name} : ${formatConn(h.conn)}`
          : `  ${t.name} => ${hypotheticalText(h.peer)} : ${formatConn(h.conn)}`,
      );
  }
  return {
    verdict: "info",
    lines,
    json: {
      query,
      verdict: "info",
      peer: t.name,
      direction,
      ...(ports ? { ports: portsText(ports) } : {}),
      connections: rows.map((r) => ({
        src: formatPeer(r.src),
        dst: formatPeer(r.dst),
        conn: formatConn(r.conn),
      })),
      hypothetical: hypothetical.map((h) => ({ peer: h.peer, conn: formatConn(h.conn) })),
    },
  };
}

/**
 * Exposure's peer descriptions in words: `entire-cluster` → any pod in any namespace;
 * `[namespace with {team=x}]/[pod with {app=y}]` → any pod with labels {app=y} in a namespace with
 * labels {team=x}; `backend/[all pods]` → any pod in namespace backend.
 */
export function hypotheticalText(display: string): string {
  if (display === "entire-cluster") return "any pod in any namespace";
  const m = /^(?:\[(.*)\]|([^[/]+))\/\[(.*)\]$/.exec(display);
  if (!m) return display;
  const ns = m[2] ?? m[1]!;
  const pod = m[3]!;
  const podText = pod === "all pods" ? "any pod" : `any pod with labels ${pod.replace(/^pod with /, "")}`;
  const nsText =
    m[2] !== undefined
      ? `in namespace ${ns}`
      : ns === "all namespaces"
        ? "in any namespace"
        : `in a namespace with labels ${ns.replace(/^namespace with /, "")}`;
  return `${podText} ${nsText}`;
}
