/**
 * Explanations: for one (source, destination) pair, which tier, policy and rule accepted, denied or
 * passed each part of the connection set, per direction. The evaluation mirrors the engine's
 * (engine.ts `tierVector`) on a single pair, keeping provenance instead of interned ids.
 */
import type { ObjectRef, SourceRef } from "../common/index.js";
import type { Analysis } from "./engine.js";
import {
  ALL_CONN,
  type ConnSet,
  connIntersect,
  connIsEmpty,
  connSubtract,
  connUnion,
  EMPTY_CONN,
} from "./ports.js";
import type { Direction, Rule, TierRule } from "./types.js";

export type ExplainTier = "admin" | "networkpolicy" | "baseline" | "default";

export interface RuleRef {
  readonly policy: ObjectRef;
  readonly tier: ExplainTier;
  readonly direction: Direction;
  readonly index: number;
  readonly name?: string | undefined;
  readonly source: SourceRef;
}

/**
 * One decision about part of the connection set:
 * - `accept` / `deny` / `pass`: a tier rule decided it;
 * - `allow`: a NetworkPolicy rule allowed it;
 * - `isolated`: NetworkPolicies isolate the subject and no rule of theirs allows it;
 * - `default`: no policy decided it, so it is allowed.
 */
export interface ExplainStep {
  readonly tier: ExplainTier;
  readonly verdict: "accept" | "deny" | "pass" | "allow" | "isolated" | "default";
  readonly conn: ConnSet;
  readonly rule?: RuleRef | undefined;
  readonly policies?: readonly ObjectRef[] | undefined;
}

export interface DirectionExplanation {
  readonly direction: Direction;
  /** The endpoint whose policies apply in this direction; undefined for an address (never policed). */
  readonly subject: number | undefined;
  readonly steps: readonly ExplainStep[];
  readonly allowed: ConnSet;
}

export interface PairExplanation {
  readonly src: number;
  readonly dst: number;
  readonly egress: DirectionExplanation;
  readonly ingress: DirectionExplanation;
  readonly allowed: ConnSet;
}

export function explainPair(a: Analysis, src: number, dst: number): PairExplanation {
  const egress = explainDirection(a, "egress", src, dst);
  const ingress = explainDirection(a, "ingress", src, dst);
  return { src, dst, egress, ingress, allowed: connIntersect(egress.allowed, ingress.allowed) };
}

function ruleRef(policy: ObjectRef, tier: ExplainTier, r: Rule | TierRule): RuleRef {
  return {
    policy,
    tier,
    direction: r.direction,
    index: r.index,
    name: "name" in r ? r.name : undefined,
    source: r.source,
  };
}

function explainDirection(a: Analysis, direction: Direction, src: number, dst: number): DirectionExplanation {
  const subject = direction === "egress" ? src : dst;
  const other = direction === "egress" ? dst : src;
  if (subject >= a.classCount)
    return {
      direction,
      subject: undefined,
      steps: [{ tier: "default", verdict: "default", conn: ALL_CONN }],
      allowed: ALL_CONN,
    };
  const sel = a.selection(subject, direction);
  const steps: ExplainStep[] = [];
  const matches = (r: Rule) => r.peers.some((p) => a.peerMatches(p, other));
  const ports = (r: Rule) => a.portsToward(r.ports, dst);
  let allowed = EMPTY_CONN;

  // First-match over tier rules; returns what was neither accepted nor denied.
  const firstMatch = (
    tier: ExplainTier,
    rules: readonly { policy: ObjectRef; rule: TierRule }[],
    start: ConnSet,
  ): ConnSet => {
    let undecided = start;
    let passed = EMPTY_CONN;
    for (const { policy, rule } of rules) {
      if (!matches(rule)) continue;
      const hit = connIntersect(undecided, ports(rule));
      if (connIsEmpty(hit)) continue;
      steps.push({ tier, verdict: rule.action, conn: hit, rule: ruleRef(policy, tier, rule) });
      undecided = connSubtract(undecided, hit);
      if (rule.action === "accept") allowed = connUnion(allowed, hit);
      else if (rule.action === "pass") passed = connUnion(passed, hit);
    }
    return connUnion(undecided, passed);
  };
  const tierRules = (list: typeof sel.admin) =>
    list.flatMap((p) => p[direction].map((rule) => ({ policy: p.ref, rule })));

  // 1. Admin tier.
  const rest = firstMatch("admin", tierRules(sel.admin), ALL_CONN);
  if (sel.np.length > 0) {
    // 2. NetworkPolicy tier: the union of the rules of every selecting policy; the rest is denied.
    let npAllowed = EMPTY_CONN;
    for (const p of sel.np)
      for (const rule of p[direction]) {
        if (!matches(rule)) continue;
        const hit = connIntersect(rest, ports(rule));
        if (connIsEmpty(hit)) continue;
        steps.push({
          tier: "networkpolicy",
          verdict: "allow",
          conn: hit,
          rule: ruleRef(p.ref, "networkpolicy", rule),
        });
        npAllowed = connUnion(npAllowed, hit);
      }
    const denied = connSubtract(rest, npAllowed);
    if (!connIsEmpty(denied))
      steps.push({
        tier: "networkpolicy",
        verdict: "isolated",
        conn: denied,
        policies: sel.np.map((p) => p.ref),
      });
    allowed = connUnion(allowed, npAllowed);
  } else {
    // 3. Baseline tier, then the default.
    const left = firstMatch("baseline", tierRules(sel.baseline), rest);
    if (!connIsEmpty(left)) steps.push({ tier: "default", verdict: "default", conn: left });
    allowed = connUnion(allowed, left);
  }
  return { direction, subject, steps, allowed };
}
