/**
 * Connectivity listings: the engine's class-level answers lifted to what users name — workloads
 * (`ns/name[Kind]`), pods (`ns/name[Pod]`) and external ranges (`FIRST-LAST[External]`).
 *
 * - A workload's connection to another is the union over their pods (pods of one workload normally
 *   share a class; when they do not, the answer says what *some* pod may do).
 * - A peer's connections to itself are not listed; a pod may always reach itself.
 * - External ranges are maximal runs of adjacent atoms with equal connections, per peer.
 */
import { formatRange, type IpFamily, type IpRange } from "./addresses.js";
import { EMPTY_ID } from "./conn-table.js";
import type { Analysis } from "./engine.js";
import { ingressControllerConn, ingressTargets } from "./ingress-controller.js";
import { type ConnSet, connContains, connIsEmpty, connUnion, EMPTY_CONN, range } from "./ports.js";
import { serviceEndpoints, targetEndpoint } from "./services.js";
import type { Direction } from "./types.js";

export type PeerRef =
  | {
      readonly kind: "workload";
      readonly namespace: string;
      readonly name: string;
      readonly workloadKind: string;
    }
  | { readonly kind: "pod"; readonly namespace: string; readonly name: string }
  | { readonly kind: "external"; readonly range: IpRange }
  | { readonly kind: "ingress-controller" }
  | { readonly kind: "service"; readonly namespace: string; readonly name: string };

export interface Connection {
  readonly src: PeerRef;
  readonly dst: PeerRef;
  readonly conn: ConnSet;
}

export type Granularity = "workload" | "pod";

export interface ListOptions {
  readonly granularity?: Granularity;
  /** Address families of external peers to list (default: IPv4, plus IPv6 when the input uses IPv6). */
  readonly families?: readonly IpFamily[];
  /** Only connections into or out of this peer (`ns/name`, or `name` in any namespace). */
  readonly focus?: string;
  readonly focusDirection?: Direction;
}

export function formatPeer(p: PeerRef): string {
  switch (p.kind) {
    case "workload":
      return `${p.namespace}/${p.name}[${p.workloadKind}]`;
    case "pod":
      return `${p.namespace}/${p.name}[Pod]`;
    case "external":
      return `${formatRange(p.range)}[External]`;
    case "ingress-controller":
      return "{ingress-controller}";
    case "service":
      return `${p.namespace}/${p.name}[Service]`;
  }
}

/** An in-cluster peer of a listing and the classes of its pods. */
export interface ClusterPeer {
  readonly ref: PeerRef;
  readonly classes: readonly number[];
  /** Indexes into Cluster.pods. */
  readonly pods: readonly number[];
}

export function clusterPeers(a: Analysis, granularity: Granularity): ClusterPeer[] {
  const { cluster, index } = a;
  const peers: ClusterPeer[] =
    granularity === "pod"
      ? cluster.pods.flatMap((p, i) =>
          i === a.ingressControllerPod
            ? []
            : [
                {
                  ref: { kind: "pod" as const, namespace: p.namespace, name: p.name },
                  classes: [index.classOfPod[i]!],
                  pods: [i],
                },
              ],
        )
      : cluster.workloads.map((w) => ({
          ref: { kind: "workload", namespace: w.namespace, name: w.name, workloadKind: w.kind },
          classes: [...new Set(w.pods.map((p) => index.classOfPod[p]!))],
          pods: w.pods,
        }));
  const keyed = peers.map((p) => ({ p, k: formatPeer(p.ref) }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  return keyed.map((x) => x.p);
}

export function inputFamilies(a: Analysis): IpFamily[] {
  const v6 =
    a.cluster.pods.some((p) => p.ips.some((ip) => ip.family === 6)) ||
    a.space.atoms.some((r) => r.family === 6 && (r.lo !== 0n || r.hi !== (1n << 128n) - 1n));
  return v6 ? [4, 6] : [4];
}

function matchesFocus(p: PeerRef, focus: string): boolean {
  if (p.kind === "external" || p.kind === "ingress-controller" || p.kind === "service") return false;
  return focus.includes("/") ? `${p.namespace}/${p.name}` === focus : p.name === focus;
}

/** Union of connection ids over all (source class, destination endpoint) combinations. */
function unionIds(a: Analysis, srcs: readonly number[], dsts: readonly number[]): number {
  let id = EMPTY_ID;
  for (const s of srcs) for (const d of dsts) id = a.conns.union(id, a.connId(s, d));
  return id;
}

export function listConnections(a: Analysis, options: ListOptions = {}): Connection[] {
  const peers = clusterPeers(a, options.granularity ?? "workload");
  const families = new Set(options.families ?? inputFamilies(a));
  const K = a.classCount;
  const atoms = a.space.atoms.map((r, i) => ({ r, id: K + i })).filter((x) => families.has(x.r.family));
  const focus = options.focus;
  const wantOut = (p: PeerRef) => !focus || (options.focusDirection !== "ingress" && matchesFocus(p, focus));
  const wantIn = (p: PeerRef) => !focus || (options.focusDirection !== "egress" && matchesFocus(p, focus));
  const out: Connection[] = [];
  const push = (src: PeerRef, dst: PeerRef, id: number) => {
    if (id !== EMPTY_ID) out.push({ src, dst, conn: a.conns.get(id) });
  };

  // 1. The ingress controller, to the backends of Ingresses and Routes.
  if (a.ingressControllerPod !== undefined) {
    const targets = ingressTargets(a.cluster);
    for (const dst of peers) {
      if (!wantIn(dst.ref)) continue;
      const conn = ingressControllerConn(a, dst.pods, targets);
      if (!connIsEmpty(conn)) out.push({ src: { kind: "ingress-controller" }, dst: dst.ref, conn });
    }
  }
  // 2. External sources, as runs of atoms with equal connections into each peer.
  for (const dst of peers) {
    if (!wantIn(dst.ref)) continue;
    runs(
      atoms,
      (atom) => unionIds(a, [atom], dst.classes),
      (range, id) => push({ kind: "external", range }, dst.ref, id),
    );
  }
  // 3. Peer pairs, then external destinations of each source.
  for (const src of peers) {
    for (const dst of peers) {
      if (src === dst || !(wantOut(src.ref) || wantIn(dst.ref))) continue;
      push(src.ref, dst.ref, unionIds(a, src.classes, dst.classes));
    }
    if (!wantOut(src.ref)) continue;
    runs(
      atoms,
      (atom) => unionIds(a, src.classes, [atom]),
      (range, id) => push(src.ref, { kind: "external", range }, id),
    );
  }
  return out;
}

/** Groups adjacent atoms (same family, contiguous) with equal connection ids. */
function runs(
  atoms: readonly { r: IpRange; id: number }[],
  idOf: (atom: number) => number,
  emit: (range: IpRange, id: number) => void,
): void {
  let cur: { range: IpRange; id: number } | undefined;
  for (const { r, id: atom } of atoms) {
    const id = idOf(atom);
    if (cur && cur.id === id && cur.range.family === r.family && cur.range.hi + 1n === r.lo)
      cur = { range: { ...cur.range, hi: r.hi }, id };
    else {
      if (cur) emit(cur.range, cur.id);
      cur = { range: r, id };
    }
  }
  if (cur) emit(cur.range, cur.id);
}

/**
 * Service rows (`--services`): `src => ns/name[Service] : ports`, where the ports are the Service's
 * own ports (as clients dial them) on which the source reaches every endpoint after translation.
 * A port some endpoints refuse is left out (a connection may land on any endpoint); `eval --to`
 * shows such partial answers endpoint by endpoint.
 */
export function listServiceConnections(a: Analysis, options: ListOptions = {}): Connection[] {
  const peers = clusterPeers(a, options.granularity ?? "workload");
  const out: Connection[] = [];
  for (const svc of a.cluster.services) {
    const ports = serviceEndpoints(a.cluster, svc)
      .map((pe) => ({ sp: pe.servicePort, targets: pe.targets.map((t) => ({ t, e: targetEndpoint(a, t) })) }))
      .filter((p) => p.targets.length > 0);
    if (ports.length === 0) continue;
    const dst: PeerRef = { kind: "service", namespace: svc.namespace, name: svc.name };
    for (const src of peers) {
      if (options.focus && !matchesFocus(src.ref, options.focus)) continue;
      let conn: ConnSet = EMPTY_CONN;
      for (const { sp, targets } of ports) {
        const every = targets.every(
          ({ t, e }) =>
            // Only a single pod reaching itself is exempt: another replica is policed like any pod.
            (src.pods.length === 1 && src.pods[0] === t.pod) ||
            src.classes.some((c) => connContains(a.conn(c, e), t.protocol, t.port)),
        );
        if (every) conn = connUnion(conn, range(sp.protocol, sp.port));
      }
      if (!connIsEmpty(conn)) out.push({ src: src.ref, dst, conn });
    }
  }
  return out;
}
