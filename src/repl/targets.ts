/**
 * What a peer segment of a query names, in the current state: one peer (a workload, a pod, an
 * address — the CLI's `eval` names, src/cli/resolve.ts), a Service (destinations only,
 * src/cli/services.ts), or a set of the guarantee language (answered by the solver).
 */

import { type ResolvedPeer, resolvePeer } from "../cli/resolve.js";
import { resolveService, type ServiceTarget } from "../cli/services.js";
import type { ClusterPeer, PeerRef } from "../model/index.js";
import { formatIp, formatPeer } from "../model/index.js";
import { parseSetExpr } from "../parser/guarantees/index.js";
import type { SetExpr } from "../parser/index.js";
import type { Segment } from "./command.js";
import { fromFragment, QUERY_FILE, type QueryError, queryError } from "./query-error.js";
import { checkSetNames } from "./set-names.js";
import type { State } from "./state.js";

export type Target =
  | {
      readonly kind: "peer";
      readonly peer: ResolvedPeer;
      readonly name: string;
      /** The listing peer: a workload, or a pod on its own. */
      readonly listing: ClusterPeer | undefined;
    }
  | { readonly kind: "service"; readonly service: ServiceTarget }
  | { readonly kind: "set"; readonly set: SetExpr; readonly text: string };

/** Words that are sets of the guarantee language when they stand alone. */
const SET_WORDS = new Set(["external", "anything", "anywhere", "pods", "pod"]);
const SINGLE_NAME =
  /^[A-Za-z0-9_.:-]+(?:\/[A-Za-z0-9_.-]+){0,2}(?:\[\w+\])?(?::\d+(?:\/\w+)?)?(?:\/(?:tcp|udp|sctp))?$/i;
const SERVICE_NAME = /^(?:(?:svc|service)\/|[^/\s]+\/(?:svc|service)\/|[a-z0-9-]+\.[a-z0-9-]+\.svc\b)/i;

export function resolveTarget(
  state: State,
  query: string,
  seg: Segment,
  role: "source" | "destination",
): Target | QueryError {
  const text = seg.text.trim();
  const single = SINGLE_NAME.test(text) && !SET_WORDS.has(text.toLowerCase());
  if (
    !single ||
    /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(text) ||
    (text.includes(":") && /::|\/\d+$/.test(text) && !SERVICE_NAME.test(text))
  )
    return resolveSet(state, query, seg);
  const a = state.analysis;
  if (role === "destination") {
    const svc = serviceTarget(state, text);
    if (svc) return svc;
    if (SERVICE_NAME.test(text)) {
      const r = resolvePeer(a, text.replace(/:\d+(?:\/\w+)?$/, ""));
      return queryError(
        "NP9002",
        "message" in r ? r.message : `no Service "${text}" in the input`,
        seg,
        "hint" in r ? r.hint : undefined,
      );
    }
  }
  const r = resolvePeer(a, text);
  if ("code" in r)
    return queryError(r.code, r.code === "NP9003" ? distinctCandidates(r.message) : r.message, seg, r.hint);
  return { kind: "peer", peer: r, name: formatPeer(r.ref), listing: listingPeer(state, r) };
}

/** `svc/name:443`, `svc/ns/name:443/udp`: the port part is split off before looking the Service up. */
function serviceTarget(state: State, text: string): Target | undefined {
  const direct = resolveService(state.analysis, text);
  if (direct) return { kind: "service", service: direct };
  const m = /^(.*?):(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(text);
  if (!m || !SERVICE_NAME.test(m[1]!)) return undefined;
  const s = resolveService(state.analysis, m[1]!);
  if (!s) return undefined;
  const protocol = m[3] ? (m[3].toUpperCase() as "TCP" | "UDP" | "SCTP") : undefined;
  return { kind: "service", service: { ...s, port: Number(m[2]), protocol, via: `${s.via}:${m[2]}` } };
}

function resolveSet(state: State, query: string, seg: Segment): Target | QueryError {
  const r = parseSetExpr(seg.text, QUERY_FILE);
  const error = r.diagnostics.find((d) => d.severity === "error");
  if (!r.set || error) return fromFragment(query, seg.start, seg.text, error ?? r.diagnostics[0]!);
  return (
    checkSetNames(state, query, seg.start, seg.text, r.set) ?? {
      kind: "set",
      set: r.set,
      text: seg.text.trim(),
    }
  );
}

export function listingPeer(state: State, r: ResolvedPeer): ClusterPeer | undefined {
  const ref: PeerRef = r.ref;
  if (ref.kind === "workload") return state.workloadPeer(ref.namespace, ref.workloadKind, ref.name);
  if (ref.kind === "pod" && r.pod !== undefined) return { ref, classes: [...r.endpoints], pods: [r.pod] };
  return undefined;
}

/** A peer as a set of the guarantee language, to ask the solver about it. */
export function asSet(state: State, t: Target): SetExpr | undefined {
  const source = { file: QUERY_FILE, line: 1, column: 1 };
  if (t.kind === "set") return t.set;
  if (t.kind === "service")
    return { kind: "service", namespace: t.service.service.namespace, name: t.service.service.name, source };
  const ref = t.peer.ref;
  switch (ref.kind) {
    case "workload":
      return {
        kind: "workload",
        namespace: ref.namespace,
        name: ref.name,
        workloadKind: ref.workloadKind.toLowerCase(),
        source,
      };
    case "pod": {
      // A replica stands for its workload: pods of one template are indistinguishable to policy.
      const w = t.peer.pod === undefined ? undefined : state.cluster.pods[t.peer.pod]?.workload;
      const kind = (w?.kind ?? "Pod").toLowerCase();
      return {
        kind: "workload",
        namespace: ref.namespace,
        name: w?.name ?? ref.name,
        workloadKind: kind,
        source,
      };
    }
    case "external":
      return { kind: "cidr", text: formatIp(ref.range.family, ref.range.lo), source };
    default:
      return undefined;
  }
}

/** resolvePeer lists a bare Pod twice (as a workload and as a pod): each candidate once. */
function distinctCandidates(message: string): string {
  const m = /^(.*is ambiguous: )(.*)$/.exec(message);
  return m ? `${m[1]}${[...new Set(m[2]!.split(", "))].join(", ")}` : message;
}
