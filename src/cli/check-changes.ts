/**
 * The connectivity diff of `netpolc check`: what head allows that base did not and the reverse, per
 * pair of workloads (and external ranges), each change flagged by risk and located at the head
 * policy rule (or object) most responsible for it. Risks (types.ts `Risk`) apply to widenings only:
 * a change that only closes connections is never risky.
 *
 * Sensitive namespaces: those labelled `netpolc.io/sensitive: "true"` in base or head, and those
 * named with `--sensitive-namespace`.
 */
import { formatObjectRef } from "../common/index.js";
import {
  type Analysis,
  type Cluster,
  type Connection,
  type ConnectionDiff,
  type ConnSet,
  clusterPeers,
  connIsEmpty,
  connKey,
  connSubtract,
  diffConnections,
  formatConn,
  formatPeer,
  inputFamilies,
  listConnections,
  type PeerRef,
} from "../model/index.js";
import {
  type ChangeEntry,
  fingerprint,
  type PeerEntry,
  RISK_CODES,
  RISKS,
  type Risk,
} from "../report/index.js";
import type { Locator } from "./check-locate.js";

export const SENSITIVE_LABEL = "netpolc.io/sensitive";

/** A workload that no policy isolates in a direction in head, and that was isolated (or absent) in base. */
export interface DefaultAllow {
  readonly workload: PeerRef & { kind: "workload" };
  readonly direction: "ingress" | "egress";
  readonly isNew: boolean;
  readonly source: Cluster["workloads"][number]["source"];
}

export interface ConnectivityDiff {
  readonly changes: readonly ChangeEntry[];
  readonly defaultAllow: readonly DefaultAllow[];
  readonly sensitive: readonly string[];
  /** Both listings, for the graph. */
  readonly before: readonly Connection[];
  readonly after: readonly Connection[];
}

/** Code-unit order: the same on every machine and locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sensitiveNamespaces(clusters: readonly Cluster[], named: readonly string[]): string[] {
  const out = new Set(named);
  for (const c of clusters)
    for (const n of c.namespaces) if (n.labels[SENSITIVE_LABEL] === "true") out.add(n.name);
  return [...out].sort();
}

export function connectivityDiff(
  base: Analysis,
  head: Analysis,
  sensitiveNamed: readonly string[],
  locator: Locator,
): ConnectivityDiff {
  // 1. Both listings, with external ranges of both sides in the same families.
  const families = [...new Set([...inputFamilies(base), ...inputFamilies(head)])];
  const before = listConnections(base, { granularity: "workload", families });
  const after = listConnections(head, { granularity: "workload", families });
  // 2. Rows equal on both sides cannot differ piecewise (a side's ranges towards one peer are
  //    disjoint), so only the others go through the piecewise diff. Listings share their peer and
  //    connection objects, so their names are computed once each.
  const names = new Map<object, string>();
  const name = <T extends object>(x: T, f: (x: T) => string) => {
    const known = names.get(x);
    if (known !== undefined) return known;
    const n = f(x);
    names.set(x, n);
    return n;
  };
  const keys = (rows: readonly Connection[]) =>
    rows.map((c) => `${name(c.src, formatPeer)} ${name(c.dst, formatPeer)} ${name(c.conn, connKey)}`);
  const [beforeKeys, afterKeys] = [keys(before), keys(after)];
  const [inBefore, inAfter] = [new Set(beforeKeys), new Set(afterKeys)];
  const diffs = diffConnections(
    before.filter((_, i) => !inAfter.has(beforeKeys[i]!)),
    after.filter((_, i) => !inBefore.has(afterKeys[i]!)),
    clusterPeers(base, "workload").map((p) => p.ref),
    clusterPeers(head, "workload").map((p) => p.ref),
  );
  // 3. Workloads that start allowing by default, and sensitive namespaces.
  const defaultAllow = newDefaultAllow(base, head);
  const sensitive = sensitiveNamespaces([base.cluster, head.cluster], sensitiveNamed);
  const ctx = {
    sensitive: new Set(sensitive),
    openIngress: new Set(
      defaultAllow.filter((w) => w.direction === "ingress").map((w) => formatPeer(w.workload)),
    ),
    openEgress: new Set(
      defaultAllow.filter((w) => w.direction === "egress").map((w) => formatPeer(w.workload)),
    ),
  };
  // 4. Each change: what opened and closed, its risks, and where it comes from.
  const changes = diffs.map((d, i) => change(d, ctx, locator, i));
  return { changes, defaultAllow, sensitive, before, after };
}

interface RiskContext {
  readonly sensitive: ReadonlySet<string>;
  readonly openIngress: ReadonlySet<string>;
  readonly openEgress: ReadonlySet<string>;
}

function namespaceOf(p: PeerRef): string | undefined {
  return p.kind === "workload" || p.kind === "pod" || p.kind === "service" ? p.namespace : undefined;
}

export function risksOf(src: PeerRef, dst: PeerRef, opened: ConnSet, ctx: RiskContext): Risk[] {
  if (connIsEmpty(opened)) return [];
  const risks = new Set<Risk>();
  const outside = src.kind === "external" || src.kind === "ingress-controller";
  const [sns, dns] = [namespaceOf(src), namespaceOf(dst)];
  if (outside) risks.add("external-ingress");
  if (dst.kind === "external") risks.add("external-egress");
  if (sns !== undefined && dns !== undefined && sns !== dns) risks.add("cross-namespace");
  if (dns !== undefined && ctx.sensitive.has(dns) && sns !== dns) risks.add("sensitive-namespace");
  if (ctx.openIngress.has(formatPeer(dst)) || ctx.openEgress.has(formatPeer(src))) risks.add("default-allow");
  return RISKS.filter((r) => risks.has(r));
}

export function peerEntry(p: PeerRef): PeerEntry {
  const kind = p.kind === "service" ? "workload" : p.kind;
  const namespace = namespaceOf(p);
  return { name: formatPeer(p), kind, ...(namespace !== undefined ? { namespace } : {}) };
}

function change(d: ConnectionDiff, ctx: RiskContext, locator: Locator, i: number): ChangeEntry {
  const opened = connSubtract(d.new, d.old);
  const closed = connSubtract(d.old, d.new);
  const risks = risksOf(d.src, d.dst, opened, ctx);
  const code = risks.length > 0 ? RISK_CODES[risks[0]!] : "NP6007";
  const location = locator.locate(d.src, d.dst, opened, closed, i);
  const [src, dst] = [formatPeer(d.src), formatPeer(d.dst)];
  return {
    type: d.type,
    src: peerEntry(d.src),
    dst: peerEntry(d.dst),
    before: formatConn(d.old),
    after: formatConn(d.new),
    opened: formatConn(opened),
    closed: formatConn(closed),
    risks,
    ...(d.peerChange
      ? { peerChange: { peer: formatPeer(d.peerChange.peer), change: d.peerChange.change } }
      : {}),
    ...(location ? { location } : {}),
    fingerprint: fingerprint(code, src, dst),
  };
}

function newDefaultAllow(base: Analysis, head: Analysis): DefaultAllow[] {
  const isolation = (a: Analysis) => {
    const m = new Map<string, { ingress: boolean; egress: boolean }>();
    for (const w of a.cluster.workloads) {
      const classes = [...new Set(w.pods.map((p) => a.index.classOfPod[p]!))].filter(
        (c) => !a.index.classes[c]!.hostNetwork,
      );
      if (classes.length === 0) continue;
      m.set(formatObjectRef(w), {
        ingress: classes.every((c) => a.isolated(c, "ingress")),
        egress: classes.every((c) => a.isolated(c, "egress")),
      });
    }
    return m;
  };
  const [b, h] = [isolation(base), isolation(head)];
  const out: DefaultAllow[] = [];
  for (const w of head.cluster.workloads) {
    const now = h.get(formatObjectRef(w));
    if (!now) continue;
    const was = b.get(formatObjectRef(w));
    for (const direction of ["ingress", "egress"] as const)
      if (!now[direction] && (was === undefined || was[direction]))
        out.push({
          workload: { kind: "workload", namespace: w.namespace, name: w.name, workloadKind: w.kind },
          direction,
          isNew: was === undefined,
          source: w.source,
        });
  }
  return out.sort(
    (x, y) => cmp(formatPeer(x.workload), formatPeer(y.workload)) || cmp(x.direction, y.direction),
  );
}
