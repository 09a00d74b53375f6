/**
 * What a policy change can do to connectivity, and which guarantees it can therefore break.
 *
 * A connection s → d is allowed when s's egress and d's ingress both allow it; each direction is
 * decided only by the policies that select its end (solver/slice.ts). Replacing a NetworkPolicy P
 * by P′ (either may be absent: a creation or a deletion) changes, in one direction — ingress here,
 * egress is the mirror image:
 *
 * | connections that may be…  | destinations                | sources                       |
 * |---------------------------|-----------------------------|-------------------------------|
 * | added by P′'s new rules   | P′'s subjects               | the peers of those rules      |
 * | added by lost isolation   | P's subjects, unless another policy (or P′) still isolates them | anything |
 * | removed by lost rules     | P's subjects                | the peers of the rules P′ drops |
 * | removed by new isolation  | P′'s subjects, unless already isolated by P or another policy | anything |
 *
 * "Another policy still isolates them" is decided on selectors, not on today's pods (a guarantee may
 * range over pods that do not exist yet): a policy of the same namespace isolating that direction
 * whose podSelector's requirements are a subset of P's selects every pod P selects. Rules are
 * compared without their positions; when P and P′ select differently every rule counts as new and
 * every old rule as lost. Ports are ignored (an over-approximation, as everywhere in footprints).
 *
 * Cluster-tier policies (first match, Deny and Pass) are not analysed this finely: their subjects
 * may gain or lose anything, in the directions they have rules.
 *
 * A guarantee that holds can only be broken one way: `deny` claims and `within` claims by added
 * connections, `allow` claims by removed ones. `changeMayBreak` answers whether a change's effect
 * can reach the guarantee's sides; a guarantee that does not hold may be repaired by either kind and
 * is not decided here (the caller re-checks it on its footprint).
 */

import type { SourcePosition } from "../common/index.js";
import {
  type Cluster,
  type ClusterPolicy,
  getOrCreate,
  type LabelSelector,
  type NetworkPolicy,
  type Peer,
  type Rule,
} from "../model/index.js";
import type { Claim, GuaranteeFile, SetExpr } from "../parser/index.js";
import { defaultDomain, mentionsOf } from "./sets.js";
import {
  EVERY_POD,
  type Footprint,
  labelRequirements,
  NO_POD,
  namespacePodsFootprint,
  overlaps,
  policyReach,
  setFootprint,
} from "./slice.js";

/** One end of a connection: the pods it may be, and whether it may be an address (not a pod). */
export interface Side {
  readonly pods: Footprint;
  readonly addresses: boolean;
}

/** Connections from `src` to `dst`. */
export interface Region {
  readonly src: Side;
  readonly dst: Side;
  /** The direction whose policies make the change. */
  readonly direction: "ingress" | "egress";
  /** Made by lost (or, removed, gained) isolation of the subjects — or may be (cluster tiers). */
  readonly isolation: boolean;
}

/** The connections a change may add and may remove (over-approximated). */
export interface ChangeEffect {
  readonly added: readonly Region[];
  readonly removed: readonly Region[];
}

export const ANY_SIDE: Side = Object.freeze({ pods: EVERY_POD, addresses: true });
const NO_SIDE: Side = Object.freeze({ pods: NO_POD, addresses: false });

/**
 * The effect of replacing `old` by `next` (either absent), given the other NetworkPolicies of the
 * cluster (those that stay).
 */
export function policyChangeEffect(
  old: NetworkPolicy | ClusterPolicy | undefined,
  next: NetworkPolicy | ClusterPolicy | undefined,
  others: readonly NetworkPolicy[],
): ChangeEffect {
  const added: Region[] = [];
  const removed: Region[] = [];
  const coarse = (p: ClusterPolicy) => {
    const { subjects } = policyReach(p);
    const side: Side = { pods: subjects, addresses: false };
    for (const r of [
      ...(p.ingress.length > 0
        ? [{ src: ANY_SIDE, dst: side, direction: "ingress", isolation: true } as const]
        : []),
      ...(p.egress.length > 0
        ? [{ src: side, dst: ANY_SIDE, direction: "egress", isolation: true } as const]
        : []),
    ]) {
      added.push(r);
      removed.push(r);
    }
  };
  const np = (p: NetworkPolicy | ClusterPolicy | undefined) => {
    if (p && p.tier !== "networkpolicy") {
      coarse(p);
      return undefined;
    }
    return p;
  };
  const o = np(old);
  const n = np(next);
  for (const direction of ["ingress", "egress"] as const) {
    const was = o?.isolates[direction] ? o : undefined;
    const will = n?.isolates[direction] ? n : undefined;
    const region = (subjects: NetworkPolicy, peers: Side, isolation = false): Region => {
      const side = subjectSide(subjects);
      return direction === "ingress"
        ? { src: peers, dst: side, direction, isolation }
        : { src: side, dst: peers, direction, isolation };
    };
    const sameSubjects = was && will && sameSelection(was, will);
    const oldRules = was ? was[direction] : [];
    const newRules = will ? will[direction] : [];
    const oldKeys = new Set(oldRules.map(ruleKey));
    const newKeys = new Set(newRules.map(ruleKey));
    const gained = sameSubjects ? newRules.filter((r) => !oldKeys.has(ruleKey(r))) : newRules;
    const lost = sameSubjects ? oldRules.filter((r) => !newKeys.has(ruleKey(r))) : oldRules;
    if (will && gained.length > 0) added.push(region(will, peersSide(gained)));
    if (was && lost.length > 0) removed.push(region(was, peersSide(lost)));
    const isolatedBy = (p: NetworkPolicy, by: readonly (NetworkPolicy | undefined)[]) =>
      by.some((q) => q?.isolates[direction] && covers(q, p));
    if (was && !isolatedBy(was, [will, ...others])) added.push(region(was, ANY_SIDE, true));
    if (will && !isolatedBy(will, [was, ...others])) removed.push(region(will, ANY_SIDE, true));
  }
  return { added, removed };
}

/** Whether a change with this effect may break a claim that holds (see the module comment). */
export function changeMayBreak(claim: Claim, cluster: Cluster, effect: ChangeEffect): boolean {
  const domain = defaultDomain(claim);
  const side = (e: SetExpr): Side => ({ pods: setFootprint(e, cluster, domain), addresses: hasAddresses(e) });
  const meets = (r: Region, from: Side, to: Side) => meetSides(r.src, from) && meetSides(r.dst, to);
  switch (claim.kind) {
    case "reach": {
      const from = side(claim.from);
      const to = side(claim.to);
      const regions = claim.verdict === "deny" ? effect.added : effect.removed;
      return regions.some((r) => meets(r, from, to));
    }
    case "within": {
      // Only a connection of the subject's to somewhere new can break it.
      const subject = side(claim.subject);
      return effect.added.some((r) =>
        claim.direction === "egress" ? meets(r, subject, ANY_SIDE) : meets(r, ANY_SIDE, subject),
      );
    }
    case "isolated": {
      // Isolation in a direction is lost only by that direction's policies losing it.
      const subject = side(claim.subject);
      return effect.added.some(
        (r) =>
          r.isolation &&
          ((claim.direction !== "egress" && r.direction === "ingress" && meetSides(r.dst, subject)) ||
            (claim.direction !== "ingress" && r.direction === "egress" && meetSides(r.src, subject))),
      );
    }
  }
}

export function meetSides(a: Side, b: Side): boolean {
  return (a.addresses && b.addresses) || overlaps(a.pods, b.pods);
}

function subjectSide(p: NetworkPolicy): Side {
  return { pods: policyReach(p).subjects, addresses: false };
}

/** Everything a list of rules' peers may admit. */
export function peersSide(rules: readonly Rule[]): Side {
  const sides = rules.flatMap((r) => (r.peers.length === 0 ? [ANY_SIDE] : r.peers.map(peerSide)));
  return sides.reduce<Side>(
    (acc, s) => ({
      pods: joinFootprints(acc.pods, s.pods),
      addresses: acc.addresses || s.addresses,
    }),
    NO_SIDE,
  );
}

/** What one rule peer may admit. */
export function peerSide(p: Peer): Side {
  switch (p.kind) {
    case "pods":
      return {
        pods: namespacePodsFootprint(
          p.namespaces.kind === "same"
            ? { namespace: p.namespaces.namespace }
            : { selector: p.namespaces.selector },
          p.pods,
        ),
        addresses: false,
      };
    case "any":
    case "ipBlock": // may hold pod IPs (--ipblock-pods include)
    case "nodes": // hostNetwork pods stand for their node
    case "domainNames":
      return ANY_SIDE;
  }
}

function joinFootprints(a: Footprint, b: Footprint): Footprint {
  if (a.all || b.all) return EVERY_POD;
  return { all: false, boxes: [...a.boxes, ...b.boxes] };
}

/** Whether a set may hold addresses (not pods): its footprint alone does not say. */
export function hasAddresses(e: SetExpr): boolean {
  switch (e.kind) {
    case "or":
      return hasAddresses(e.left) || hasAddresses(e.right);
    case "and":
      return hasAddresses(e.left) && hasAddresses(e.right);
    case "except":
      return hasAddresses(e.left);
    case "pods":
    case "workload":
      return false;
    default:
      // not, anything, cidr, external; Services (ClusterIPs, endpoint addresses).
      return true;
  }
}

/** Whether `q` selects every pod `p` selects (same namespace, a subset of its requirements). */
function covers(q: NetworkPolicy, p: NetworkPolicy): boolean {
  if (q.namespace !== p.namespace) return false;
  const mine = new Set(labelRequirements(p.podSelector).map(reqKey));
  return labelRequirements(q.podSelector).every((r) => mine.has(reqKey(r)));
}

function sameSelection(a: NetworkPolicy, b: NetworkPolicy): boolean {
  return a.namespace === b.namespace && covers(a, b) && covers(b, a);
}

const reqKey = (r: { key: string; operator: string; values: readonly string[] }) =>
  JSON.stringify([r.key, r.operator, [...r.values].sort()]);

/** A rule's meaning without its position: peers and ports. */
function ruleKey(r: Rule): string {
  return JSON.stringify([r.peers, r.ports], (k, v: unknown) =>
    k === "source" ? undefined : typeof v === "bigint" ? v.toString() : v,
  );
}

/**
 * Every label key a selector of the cluster (policies of every tier, their peers, Services) or of
 * the guarantees mentions. A change of an object's labels under other keys changes no match, so no
 * verdict: the solver's vocabulary leaves such keys out too (universe.ts).
 */
export function selectorKeys(cluster: Cluster, files: readonly GuaranteeFile[]): Set<string> {
  const keys = new Set<string>();
  for (const p of [...cluster.policies, ...cluster.clusterPolicies])
    for (const k of policyKeys(p)) keys.add(k);
  for (const s of cluster.services) if (s.selector) for (const k of Object.keys(s.selector)) keys.add(k);
  const mentions = mentionsOf(files);
  for (const sel of [...mentions.podSelectors, ...mentions.nsSelectors]) addKeys(keys, sel);
  return keys;
}

function addKeys(keys: Set<string>, s: LabelSelector | undefined): void {
  if (!s) return;
  for (const k of Object.keys(s.matchLabels ?? {})) keys.add(k);
  for (const r of s.matchExpressions ?? []) keys.add(r.key);
}

/** The label keys one policy's selectors mention (policies are immutable: computed once each). */
const keysOfPolicy = new WeakMap<NetworkPolicy | ClusterPolicy, readonly string[]>();
function policyKeys(p: NetworkPolicy | ClusterPolicy): readonly string[] {
  return getOrCreate(keysOfPolicy, p, () => computePolicyKeys(p));
}

function computePolicyKeys(p: NetworkPolicy | ClusterPolicy): readonly string[] {
  const keys = new Set<string>();
  if (p.tier === "networkpolicy") addKeys(keys, p.podSelector);
  else {
    addKeys(keys, p.subject.namespaces);
    addKeys(keys, p.subject.pods);
  }
  for (const r of [...p.ingress, ...p.egress])
    for (const peer of r.peers)
      if (peer.kind === "pods") {
        addKeys(keys, peer.pods);
        if (peer.namespaces.kind === "selector") addKeys(keys, peer.namespaces.selector);
      } else if (peer.kind === "nodes") addKeys(keys, peer.selector);
  return [...keys];
}

/**
 * The claims that decide whether a change breaks a `deny` or `within` claim that holds, each
 * smaller than the claim: a connection the change newly allows lies in one of its added regions, so the claim
 * still holds iff it holds on every region it meets — `deny from (A and R.src) to (B and R.dst)`.
 * A region whose sides are narrower than the claim's (a new rule's peers, the subjects of a deleted
 * policy) gives a smaller slice and a faster check; a counterexample of a restricted claim is one of
 * the claim. `within` claims are restricted the same way on the subject's side, and to the region's
 * other side as peers. Undefined for other claims (checked whole).
 */
export function restrictedClaims(claim: Claim, cluster: Cluster, effect: ChangeEffect): Claim[] | undefined {
  if (claim.kind === "within") {
    // Likewise a `within` claim: `S within E` on R is `(S and R's side) within E`, peers in R's other side.
    const subject: Side = {
      pods: setFootprint(claim.subject, cluster, defaultDomain(claim)),
      addresses: hasAddresses(claim.subject),
    };
    const egress = claim.direction === "egress";
    return effect.added
      .filter((r) => meetSides(egress ? r.src : r.dst, subject))
      .map((r) => {
        const [mine, theirs] = egress ? [r.src, r.dst] : [r.dst, r.src];
        const peers =
          theirs.pods.all && theirs.addresses ? undefined : sideExpr(theirs, claim.subject.source);
        return {
          ...claim,
          subject: restrict(claim.subject, mine),
          peers: claim.peers && peers ? and(claim.peers, peers) : (claim.peers ?? peers),
        };
      });
  }
  if (claim.kind !== "reach" || claim.verdict !== "deny") return undefined;
  const domain = defaultDomain(claim);
  const from: Side = { pods: setFootprint(claim.from, cluster, domain), addresses: hasAddresses(claim.from) };
  const to: Side = { pods: setFootprint(claim.to, cluster, domain), addresses: hasAddresses(claim.to) };
  return effect.added
    .filter((r) => meetSides(r.src, from) && meetSides(r.dst, to))
    .map((r) => ({
      ...claim,
      from: restrict(claim.from, r.src),
      to: restrict(claim.to, r.dst),
    }));
}

const and = (left: SetExpr, right: SetExpr): SetExpr => ({ kind: "and", left, right, source: left.source });

/** `e and side`, leaving `e` alone when the side is everything. */
function restrict(e: SetExpr, side: Side): SetExpr {
  if (side.pods.all && side.addresses) return e;
  return { kind: "and", left: e, right: sideExpr(side, e.source), source: e.source };
}

/** A side as a set: its boxes (namespace names or labels, pod labels) or, for addresses, `not pods`. */
function sideExpr(side: Side, source: SourcePosition): SetExpr {
  const anyPod: SetExpr = { kind: "pods", domain: "any", source };
  const parts: SetExpr[] = [];
  if (side.pods.all) parts.push(anyPod);
  else
    for (const b of side.pods.boxes) {
      const labels = b.podReqs.map((r) => ({ ...r, source }));
      const nsLabels = b.nsReqs.map((r) => ({ ...r, source }));
      const names = b.namespaces ? [...b.namespaces] : [undefined];
      for (const name of names) {
        let e: SetExpr = {
          kind: "pods",
          domain: "any",
          labels,
          ...(name !== undefined ? { namespace: { kind: "name", name, source } } : {}),
          source,
        };
        if (nsLabels.length > 0)
          e = {
            kind: "and",
            left: e,
            right: {
              kind: "pods",
              domain: "any",
              namespace: { kind: "labels", labels: nsLabels, source },
              source,
            },
            source,
          };
        parts.push(e);
      }
    }
  if (side.addresses) parts.push({ kind: "not", operand: anyPod, source });
  if (parts.length === 0) return { kind: "not", operand: { kind: "anything", source }, source };
  return parts.reduce((l, r) => ({ kind: "or", left: l, right: r, source }));
}
