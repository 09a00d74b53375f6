/** `show policies [for NS/NAME]`, `show workload NS/NAME` and `list`: descriptions of the current state. */

import { renderList } from "../cli/formats.js";
import { formatObjectRef, formatPosition } from "../common/index.js";
import {
  type ClusterPolicy,
  formatConn,
  formatIp,
  formatPeer,
  listConnections,
  type NetworkPolicy,
  serviceEndpoints,
} from "../model/index.js";
import { type Answer, errorAnswer, info } from "./answer.js";
import type { Command } from "./command.js";
import { isQueryError } from "./ports.js";
import { queryError } from "./query-error.js";
import type { Session } from "./session.js";
import { resolveTarget } from "./targets.js";

type AnyPolicy = NetworkPolicy | ClusterPolicy;

function policyLine(p: AnyPolicy): string {
  const tier = p.tier === "networkpolicy" ? "" : ` [${p.tier} tier, priority ${p.priority}]`;
  return `${formatObjectRef(p.ref)}${tier} (${formatPosition(p.source)})`;
}

export function answerShowPolicies(
  s: Session,
  query: string,
  cmd: Extract<Command, { kind: "show-policies" }>,
): Answer {
  const a = s.state.analysis;
  const all: AnyPolicy[] = [
    ...a.cluster.clusterPolicies.filter((p) => p.tier === "admin"),
    ...a.cluster.policies,
    ...a.cluster.clusterPolicies.filter((p) => p.tier === "baseline"),
  ];
  if (!cmd.for) {
    const lines = [
      `${all.length} ${all.length === 1 ? "policy" : "policies"}`,
      ...all.map((p) => `  ${policyLine(p)}`),
    ];
    return info(query, lines, {
      policies: all.map((p) => ({
        policy: formatObjectRef(p.ref),
        tier: p.tier,
        source: formatPosition(p.source),
      })),
    });
  }
  const t = resolveTarget(s.state, query, cmd.for, "source");
  if (isQueryError(t)) return errorAnswer(query, t);
  if (t.kind !== "peer" || !t.listing)
    return errorAnswer(
      query,
      queryError("NP9001", "`show policies for` takes a workload or pod (ns/name)", cmd.for),
    );
  const lines = [`policies of ${t.name}, in evaluation order:`];
  const json: Record<string, unknown> = { peer: t.name };
  for (const dir of ["ingress", "egress"] as const) {
    const seen = new Set<string>();
    const ps: AnyPolicy[] = [];
    for (const c of t.listing.classes) {
      const sel = a.selection(c, dir);
      for (const p of [...sel.admin, ...sel.np, ...sel.baseline]) {
        const k = formatObjectRef(p.ref);
        if (!seen.has(k)) {
          seen.add(k);
          ps.push(p);
        }
      }
    }
    lines.push(
      ps.length === 0
        ? `  ${dir}: none (not isolated: every ${dir === "ingress" ? "source" : "destination"} allowed)`
        : `  ${dir}:`,
    );
    for (const p of ps) lines.push(`    ${policyLine(p)}`);
    json[dir] = ps.map((p) => ({
      policy: formatObjectRef(p.ref),
      tier: p.tier,
      source: formatPosition(p.source),
    }));
  }
  return info(query, lines, json);
}

export function answerShowWorkload(
  s: Session,
  query: string,
  cmd: Extract<Command, { kind: "show-workload" }>,
): Answer {
  const state = s.state;
  const a = state.analysis;
  const t = resolveTarget(state, query, cmd.name, "source");
  if (isQueryError(t)) return errorAnswer(query, t);
  if (t.kind !== "peer" || !t.listing)
    return errorAnswer(
      query,
      queryError("NP9001", "`show workload` takes a workload or pod (ns/name)", cmd.name),
    );
  const pods = t.listing.pods.map((i) => a.cluster.pods[i]!);
  const first = pods[0]!;
  const ns = a.cluster.namespaces.find((n) => n.name === first.namespace);
  const labelSets = [...new Set(pods.map((p) => labelText(p.labels)))];
  const ports = [...new Set(pods.flatMap((p) => p.ports.map((x) => `${x.name}=${x.protocol}/${x.port}`)))];
  const ips = pods.flatMap((p) => p.ips.map((ip) => formatIp(ip.family, ip.value)));
  const services = a.cluster.services.filter((svc) =>
    serviceEndpoints(a.cluster, svc).some((pe) =>
      pe.targets.some((x) => x.pod !== undefined && t.listing!.pods.includes(x.pod)),
    ),
  );
  const isolated = (dir: "ingress" | "egress") => t.listing!.classes.some((c) => a.isolated(c, dir));
  const lines = [
    `${t.name}: ${pods.length} pod${pods.length === 1 ? "" : "s"} (${formatPosition(first.source)})`,
    `  labels: ${labelSets.join(" | ")}`,
    `  namespace ${first.namespace}: ${labelText(ns?.labels ?? {})}${ns?.implied ? " (implied: no Namespace object)" : ""}`,
    `  named ports: ${ports.length > 0 ? ports.join(", ") : "none"}`,
    ...(ips.length > 0 ? [`  IPs: ${ips.join(", ")}`] : []),
    `  isolated: ingress ${isolated("ingress") ? "yes" : "no"}, egress ${isolated("egress") ? "yes" : "no"}`,
    `  Services: ${services.length > 0 ? services.map((x) => `${x.namespace}/${x.name}`).join(", ") : "none"}`,
  ];
  return info(query, lines, {
    peer: t.name,
    pods: pods.map((p) => p.name),
    labels: labelSets,
    namespaceLabels: ns?.labels ?? {},
    ports,
    ips,
    isolated: { ingress: isolated("ingress"), egress: isolated("egress") },
    services: services.map((x) => `${x.namespace}/${x.name}`),
  });
}

function labelText(l: Readonly<Record<string, string>>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "{}";
}

export function answerList(s: Session, query: string): Answer {
  const rows = listConnections(s.state.analysis);
  return info(query, rows.length === 0 ? ["(no connections)"] : renderList(rows, "connlist").split("\n"), {
    connections: rows.map((r) => ({
      src: formatPeer(r.src),
      dst: formatPeer(r.dst),
      conn: formatConn(r.conn),
    })),
  });
}
