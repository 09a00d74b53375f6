/**
 * Where a connectivity change comes from: the head policy rule (or object) most responsible for it,
 * found by explaining the pair on head with the engine's own explanations.
 *
 * For connections that opened, the steps of head that allow them (a rule, or "no policy: allowed by
 * default"); for connections that closed, the steps that deny them (a deny rule, or the policies
 * that isolate without allowing). Among those, in order: a rule or policy that differs from base
 * (new or edited), the ingress side before the egress side, a rule before a default. A default
 * points at the workload that no policy selects. Without an explanation (a peer only base has, or
 * past `MAX_EXPLAINED` changes) the change is located at its destination, else its source, in head.
 */
import { formatObjectRef, type SourceRef } from "../common/index.js";
import {
  type Analysis,
  type ConnSet,
  clusterPeers,
  connIntersect,
  connIsEmpty,
  type ExplainStep,
  explainPair,
  formatPeer,
  type PeerRef,
  type Rule,
} from "../model/index.js";
import type { Location } from "../report/index.js";

/** Explaining is cheap, but not free: beyond this many changes, changes point at their peers. */
export const MAX_EXPLAINED = 2000;

export type DisplayFile = (file: string) => string;

export function toLocation(s: SourceRef, display: DisplayFile): Location {
  return {
    file: display(s.file),
    line: s.line,
    column: s.column,
    ...(s.object ? { object: formatObjectRef(s.object) } : {}),
    ...(s.path ? { path: s.path } : {}),
  };
}

/** A policy or rule's meaning without its provenance, to tell edited ones from moved ones. */
function signature(value: unknown): string {
  return JSON.stringify(value, (k, v) =>
    k === "source" ? undefined : typeof v === "bigint" ? v.toString() : v,
  );
}

function ruleKey(policy: string, r: Pick<Rule, "direction" | "index">): string {
  return `${policy} ${r.direction} ${r.index}`;
}

/** Keys of the rules, policies and workloads of `head` that `base` does not have as they are. */
function editedKeys(base: Analysis | undefined, head: Analysis): Set<string> {
  const index = (a: Analysis) => {
    const m = new Map<string, string>();
    for (const p of [...a.cluster.policies, ...a.cluster.clusterPolicies]) {
      const name = formatObjectRef(p.ref);
      m.set(name, signature({ ...p, ingress: undefined, egress: undefined }));
      for (const r of [...p.ingress, ...p.egress]) m.set(ruleKey(name, r), signature(r));
    }
    // A workload's meaning to policy: its pods' namespaces, labels and named ports.
    for (const w of a.cluster.workloads)
      m.set(
        formatObjectRef(w),
        signature(w.pods.map((i) => a.cluster.pods[i]!).map((p) => [p.namespace, p.labels, p.ports])),
      );
    return m;
  };
  const b = base ? index(base) : new Map<string, string>();
  const out = new Set<string>();
  for (const [k, sig] of index(head)) if (b.get(k) !== sig) out.add(k);
  return out;
}

export class Locator {
  private readonly edited: Set<string>;
  private readonly peers: Map<string, { classes: readonly number[]; key?: string; source?: SourceRef }>;
  private readonly policySources: Map<string, SourceRef>;

  constructor(
    private readonly head: Analysis,
    base: Analysis | undefined,
    private readonly display: DisplayFile,
  ) {
    this.edited = editedKeys(base, head);
    const sources = new Map(head.cluster.workloads.map((w) => [formatObjectRef(w), w.source]));
    this.peers = new Map(
      clusterPeers(head, "workload").map((p) => {
        const key =
          p.ref.kind === "workload" ? formatObjectRef({ ...p.ref, kind: p.ref.workloadKind }) : undefined;
        return [
          formatPeer(p.ref),
          { classes: p.classes, ...(key ? { key, source: sources.get(key)! } : {}) },
        ];
      }),
    );
    this.policySources = new Map(
      [...head.cluster.policies, ...head.cluster.clusterPolicies].map((p) => [
        formatObjectRef(p.ref),
        p.source,
      ]),
    );
  }

  /** The endpoint standing for a peer in head, and the object to point at. */
  private endpoint(p: PeerRef): { id: number; key?: string; source?: SourceRef } | undefined {
    const a = this.head;
    if (p.kind === "external")
      return { id: a.classCount + a.space.atomOf({ family: p.range.family, value: p.range.lo }) };
    if (p.kind === "ingress-controller")
      return a.ingressControllerPod === undefined
        ? undefined
        : { id: a.index.classOfPod[a.ingressControllerPod]! };
    const peer = this.peers.get(formatPeer(p));
    if (!peer || peer.classes.length === 0) return undefined;
    return {
      id: peer.classes[0]!,
      ...(peer.key ? { key: peer.key } : {}),
      ...(peer.source ? { source: peer.source } : {}),
    };
  }

  locate(
    src: PeerRef,
    dst: PeerRef,
    opened: ConnSet,
    closed: ConnSet,
    ordinal: number,
  ): Location | undefined {
    const s = this.endpoint(src);
    const d = this.endpoint(dst);
    const fallback = d?.source ?? s?.source;
    if (!s || !d || ordinal >= MAX_EXPLAINED)
      return fallback ? toLocation(fallback, this.display) : undefined;
    const e = explainPair(this.head, s.id, d.id);
    const widening = !connIsEmpty(opened);
    const part = widening ? opened : closed;
    const verdicts: readonly ExplainStep["verdict"][] = widening
      ? ["allow", "accept", "default"]
      : ["deny", "isolated"];
    let best: { rank: number; source: SourceRef } | undefined;
    for (const [dirRank, dir, subject] of [
      [0, e.ingress, d],
      [1, e.egress, s],
    ] as const)
      for (const step of dir.steps) {
        if (!verdicts.includes(step.verdict) || connIsEmpty(connIntersect(step.conn, part))) continue;
        const found = this.stepSource(step, subject);
        if (!found) continue;
        // Lower is better: edited first, then ingress, then rules before defaults.
        const rank = (found.edited ? 0 : 4) + dirRank * 2 + (step.rule ? 0 : 1);
        if (!best || rank < best.rank) best = { rank, source: found.source };
      }
    const chosen = best?.source ?? fallback;
    return chosen ? toLocation(chosen, this.display) : undefined;
  }

  /**
   * The source a step points at: its rule; for isolation, an edited isolating policy, else (as for a
   * default) the subject workload — whether the workload is new or edited counts as edited.
   */
  private stepSource(
    step: ExplainStep,
    subject: { key?: string; source?: SourceRef },
  ): { source: SourceRef; edited: boolean } | undefined {
    if (step.rule) {
      const policy = formatObjectRef(step.rule.policy);
      const edited = this.edited.has(ruleKey(policy, step.rule)) || this.edited.has(policy);
      return { source: step.rule.source, edited };
    }
    if (step.verdict === "isolated") {
      const pick = (step.policies ?? []).map(formatObjectRef).find((p) => this.edited.has(p));
      const source = pick ? this.policySources.get(pick) : undefined;
      if (source) return { source, edited: true };
    }
    if (!subject.source) return undefined;
    return { source: subject.source, edited: subject.key !== undefined && this.edited.has(subject.key) };
  }
}
