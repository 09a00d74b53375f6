/**
 * `can A reach B [on P]` and `why [not] A -> B [P]`. Two peers are answered by the engine (the
 * connection set and its explanation, rule by rule, with file:line); a Service destination by
 * kube-proxy's translation, endpoint by endpoint (as `eval --to svc/…`); a set on either side by the
 * solver, over every pod that exists or could be deployed.
 */

import { explanationJson, explanationText } from "../cli/explain-text.js";
import { evalService } from "../cli/services.js";
import { formatObjectRef, formatPosition } from "../common/index.js";
import {
  ALL_CONN,
  type Analysis,
  type ConnSet,
  connEquals,
  connIntersect,
  connIsEmpty,
  connUnion,
  EMPTY_CONN,
  type ExplainStep,
  explainPair,
  formatConn,
  type PairExplanation,
  type Protocol,
} from "../model/index.js";
import type { Claim } from "../parser/index.js";
import type { Answer } from "./answer.js";
import { errorAnswer } from "./answer.js";
import type { Command } from "./command.js";
import { isQueryError, type Ports, parsePorts, portsText, portsToward, within } from "./ports.js";
import { queryError } from "./query-error.js";
import type { Session } from "./session.js";
import { type Cancellation, counterexampleLines, queryGuarantee, resultJson, verifyAll } from "./solver.js";
import { asSet, resolveTarget, type Target } from "./targets.js";

type PeerTarget = Extract<Target, { kind: "peer" }>;

export async function answerCan(
  s: Session,
  query: string,
  cmd: Extract<Command, { kind: "can" }>,
  cancel: Cancellation,
): Promise<Answer> {
  const state = s.state;
  const from = resolveTarget(state, query, cmd.from, "source");
  if (isQueryError(from)) return errorAnswer(query, from);
  const to = resolveTarget(state, query, cmd.to, "destination");
  if (isQueryError(to)) return errorAnswer(query, to);
  const ports = parsePorts(query, cmd.ports);
  if (isQueryError(ports)) return errorAnswer(query, ports);
  if (from.kind === "peer" && to.kind === "service") return serviceAnswer(s, query, from, to, ports, cmd);
  if (from.kind === "peer" && to.kind === "peer") return pairAnswer(state.analysis, query, from, to, ports);
  if (from.kind === "service")
    return errorAnswer(query, queryError("NP9001", "a Service is only a destination", cmd.from));
  return solverAnswer(s, query, from, to, ports, cancel);
}

/** Union of the engine's connections over every (source, destination) endpoint pair. */
function pairConn(a: Analysis, from: PeerTarget, to: PeerTarget, ports: Ports) {
  const self = from.peer.pod !== undefined && from.peer.pod === to.peer.pod;
  let conn: ConnSet = EMPTY_CONN;
  let wanted: ConnSet = EMPTY_CONN;
  let inQuery: ConnSet = EMPTY_CONN;
  for (const d of to.peer.endpoints) {
    wanted = connUnion(wanted, portsToward(a, ports, d));
    for (const src of from.peer.endpoints) {
      const c = self ? ALL_CONN : a.conn(src, d);
      conn = connUnion(conn, c);
      inQuery = connUnion(inQuery, within(a, c, ports, d));
    }
  }
  return { self, conn, wanted, inQuery };
}

function verdictOf(wanted: ConnSet, inQuery: ConnSet): "yes" | "no" | "partial" {
  if (connIsEmpty(inQuery)) return "no";
  return connEquals(inQuery, wanted) ? "yes" : "partial";
}

/** One port of the query (the explanation then shows only the steps that decided it). */
function singlePort(ports: Ports): { protocol: Protocol; port: number } | undefined {
  const p = ports?.length === 1 ? ports[0] : undefined;
  return p?.kind === "range" && p.from === p.to ? { protocol: p.protocol, port: p.from } : undefined;
}

function explanations(a: Analysis, from: PeerTarget, to: PeerTarget): PairExplanation[] {
  const seen = new Set<string>();
  const out: PairExplanation[] = [];
  for (const src of from.peer.endpoints)
    for (const d of to.peer.endpoints) {
      const key = `${src}>${d}`;
      if (seen.has(key) || out.length >= 4) continue;
      seen.add(key);
      out.push(explainPair(a, src, d));
    }
  return out;
}

function pairAnswer(a: Analysis, query: string, from: PeerTarget, to: PeerTarget, ports: Ports): Answer {
  const { self, conn, wanted, inQuery } = pairConn(a, from, to, ports);
  const verdict = ports ? verdictOf(wanted, inQuery) : connIsEmpty(conn) ? "no" : "yes";
  const on = ports ? ` on ${portsText(ports)}` : "";
  const lines = [`${verdict}: ${from.name} => ${to.name}${on}`];
  if (ports && connIsEmpty(wanted)) lines.push(`  (${to.name} has no port ${portsText(ports)})`);
  if (ports && verdict === "partial") lines.push(`allowed of those: ${formatConn(inQuery)}`);
  lines.push(`allowed connections: ${formatConn(conn)}${self ? " (a pod may always reach itself)" : ""}`);
  const ex = self ? [] : explanations(a, from, to);
  const focus = singlePort(ports);
  for (const e of ex) lines.push(...explanationText(e, from.name, to.name, focus));
  return {
    verdict,
    lines,
    json: {
      query,
      verdict,
      src: from.name,
      dst: to.name,
      ...(ports ? { ports: portsText(ports), allowedInQuery: formatConn(inQuery) } : {}),
      conn: formatConn(conn),
      explanation: ex.map(explanationJson),
    },
  };
}

function serviceAnswer(
  s: Session,
  query: string,
  from: PeerTarget,
  to: Extract<Target, { kind: "service" }>,
  ports: Ports,
  cmd: Extract<Command, { kind: "can" }>,
): Answer {
  let port = to.service.port;
  let protocol = to.service.protocol;
  if (ports) {
    const p = ports.length === 1 ? ports[0]! : undefined;
    if (p?.kind === "range" && p.from === p.to) [port, protocol] = [p.from, p.protocol];
    else if (p?.kind === "protocol") protocol = p.protocol;
    else if (p?.kind !== "all")
      return errorAnswer(
        query,
        queryError(
          "NP9001",
          "a Service is asked about one Service port (`on tcp/443`) or every port",
          cmd.ports,
        ),
      );
  }
  const r = evalService(
    s.state.analysis,
    from.peer.endpoints,
    from.peer.pod,
    from.name,
    to.service,
    port,
    protocol,
  );
  const verdict =
    r.verdict === "allowed" || r.verdict === "external" ? "yes" : r.verdict === "partial" ? "partial" : "no";
  const [head, ...rest] = r.text.split("\n");
  return {
    verdict,
    lines: [`${verdict}: ${head!.replace(/^(allowed|denied|partial): /, "")}`, ...rest],
    json: { query, verdict, service: r.json },
  };
}

async function solverAnswer(
  s: Session,
  query: string,
  from: Target,
  to: Target,
  ports: Ports,
  cancel: Cancellation,
): Promise<Answer> {
  const source = { file: "<query>", line: 1, column: 1 };
  const fromSet = asSet(s.state, from);
  const toSet = asSet(s.state, to);
  if (!fromSet || !toSet)
    return errorAnswer(query, queryError("NP9001", "this peer cannot be asked about as a set", undefined));
  const claim: Claim = { kind: "reach", verdict: "deny", from: fromSet, to: toSet, ports, source };
  const [r] = await verifyAll(s.state, [queryGuarantee(claim, query)], s.options, cancel);
  const result = r!;
  const on = ports ? ` on ${portsText(ports)}` : "";
  const what = `${describe(from)} => ${describe(to)}${on}`;
  if (result.verdict === "unknown")
    return {
      verdict: "partial",
      lines: [`unknown: ${what}: the solver could not decide (${result.reason})`],
      json: { query, verdict: "unknown", result: resultJson(result) },
    };
  if (result.verdict === "holds")
    return {
      verdict: "no",
      lines: [
        `no: ${what}`,
        "  no pod of the source set, existing or new, can open such a connection (proved)",
      ],
      json: { query, verdict: "no", result: resultJson(result) },
    };
  return {
    verdict: "yes",
    lines: [
      `yes: ${what}`,
      ...counterexampleLines(result).map((l) => l.replace("counterexample:", "for example:")),
    ],
    json: { query, verdict: "yes", result: resultJson(result) },
  };
}

function describe(t: Target): string {
  if (t.kind === "set") return `{${t.text}}`;
  if (t.kind === "service") return `Service ${t.service.service.namespace}/${t.service.service.name}`;
  return t.name;
}

// --- why ----------------------------------------------------------------------------------------

export function answerWhy(s: Session, query: string, cmd: Extract<Command, { kind: "why" }>): Answer {
  const state = s.state;
  const a = state.analysis;
  const from = resolveTarget(state, query, cmd.from, "source");
  if (isQueryError(from)) return errorAnswer(query, from);
  const to = resolveTarget(state, query, cmd.to, "destination");
  if (isQueryError(to)) return errorAnswer(query, to);
  const ports = parsePorts(query, cmd.ports);
  if (isQueryError(ports)) return errorAnswer(query, ports);
  if (from.kind !== "peer" || to.kind !== "peer")
    return errorAnswer(
      query,
      queryError(
        "NP9001",
        "`why` explains one pair of peers (ns/name, name or an IP address)",
        from.kind !== "peer" ? cmd.from : cmd.to,
      ),
    );
  const { self, conn, wanted, inQuery } = pairConn(a, from, to, ports);
  const on = ports ? ` on ${portsText(ports)}` : "";
  const denied = ports ? !connEquals(inQuery, wanted) || connIsEmpty(wanted) : connIsEmpty(conn);
  const verdict = denied ? "no" : "yes";
  const lines = [`${denied ? "denied" : "allowed"}: ${from.name} => ${to.name}${on}`];
  if (self) lines.push("  a pod may always reach itself: policies do not apply");
  const exs = self ? [] : explanations(a, from, to);
  const scope = ports ? wanted : ALL_CONN;
  const json: unknown[] = [];
  for (const e of exs)
    for (const dir of [e.egress, e.ingress]) {
      const subject = dir.direction === "egress" ? from.name : to.name;
      const decisive = dir.steps.filter((st) => relevant(st, denied, scope));
      if (dir.subject === undefined) continue;
      for (const step of decisive) {
        // Only the part of the step inside the asked ports.
        const st = ports ? { ...step, conn: connIntersect(step.conn, scope) } : step;
        lines.push(`  ${dir.direction}: ${stepLine(a, st, subject, dir.direction)}`);
        json.push({ direction: dir.direction, ...stepJson(a, st) });
      }
    }
  if (denied && lines.length === 1 && ports && connIsEmpty(wanted))
    lines.push(`  ${to.name} has no port ${portsText(ports)}`);
  if (!denied || !cmd.not) lines.push(`allowed connections: ${formatConn(conn)}`);
  return {
    verdict,
    lines,
    json: { query, verdict, src: from.name, dst: to.name, conn: formatConn(conn), steps: json },
  };
}

/** Steps that decided part of the asked connections the way the answer says. */
function relevant(st: ExplainStep, denied: boolean, scope: ConnSet): boolean {
  const overlap = !connIsEmpty(connIntersect(st.conn, scope));
  if (!overlap) return false;
  const denies = st.verdict === "deny" || st.verdict === "isolated";
  return denied ? denies : !denies && st.verdict !== "pass";
}

function policySource(
  a: Analysis,
  ref: { kind: string; namespace?: string | undefined; name: string },
): string {
  const p =
    a.cluster.policies.find(
      (x) => x.ref.kind === ref.kind && x.ref.namespace === ref.namespace && x.ref.name === ref.name,
    ) ?? a.cluster.clusterPolicies.find((x) => x.ref.kind === ref.kind && x.ref.name === ref.name);
  return p ? ` (${formatPosition(p.source)})` : "";
}

const TIER = {
  admin: "Admin tier",
  networkpolicy: "NetworkPolicy tier",
  baseline: "Baseline tier",
  default: "default",
};

function stepLine(a: Analysis, st: ExplainStep, subject: string, direction: string): string {
  const conn = formatConn(st.conn);
  const r = st.rule;
  const rule = r
    ? `${formatObjectRef(r.policy)} ${r.direction} rule ${r.index}${r.name ? ` "${r.name}"` : ""} (${formatPosition(r.source)})`
    : "";
  switch (st.verdict) {
    case "deny":
      return `${conn}: denied in the ${TIER[st.tier]} by ${rule}`;
    case "isolated":
      return `${conn}: denied in the NetworkPolicy tier: ${subject} is isolated for ${direction} by ${(
        st.policies ?? []
      )
        .map((p) => `${formatObjectRef(p)}${policySource(a, p)}`)
        .join(", ")}, and none of their ${direction} rules allows it`;
    case "accept":
      return `${conn}: accepted in the ${TIER[st.tier]} by ${rule}`;
    case "allow":
      return `${conn}: allowed by ${rule}`;
    case "pass":
      return `${conn}: passed by ${rule}`;
    case "default":
      return st.tier === "default"
        ? `${conn}: allowed by default (no policy decided it for ${subject})`
        : `${conn}: allowed by default (no policy of the ${TIER[st.tier]} decided it)`;
  }
}

function stepJson(a: Analysis, st: ExplainStep): Record<string, unknown> {
  return {
    tier: st.tier,
    verdict: st.verdict,
    conn: formatConn(st.conn),
    ...(st.rule
      ? {
          rule: {
            policy: formatObjectRef(st.rule.policy),
            index: st.rule.index,
            ...(st.rule.name ? { name: st.rule.name } : {}),
            source: formatPosition(st.rule.source),
          },
        }
      : {}),
    ...(st.policies
      ? {
          policies: st.policies.map((p) => ({
            policy: formatObjectRef(p),
            source: policySource(a, p).slice(2, -1),
          })),
        }
      : {}),
  };
}
