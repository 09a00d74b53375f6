/**
 * Text and JSON renderings of explanations (`--explain`).
 */
import { formatObjectRef, formatPosition } from "../common/index.js";
import {
  connContains,
  type DirectionExplanation,
  type ExplainStep,
  formatConn,
  type PairExplanation,
  type Protocol,
  type RuleRef,
} from "../model/index.js";

/** A queried protocol and port: explanations then show only the steps that decided it. */
export interface ExplainFocus {
  readonly protocol: Protocol;
  readonly port: number;
}

function ruleText(r: RuleRef): string {
  const name = r.name ? ` "${r.name}"` : "";
  return `${formatObjectRef(r.policy)} ${r.direction} rule ${r.index}${name} (${formatPosition(r.source)})`;
}

const TIER_NAME = {
  admin: "Admin tier",
  networkpolicy: "NetworkPolicy",
  baseline: "Baseline tier",
  default: "default",
} as const;

function stepText(s: ExplainStep, subject: string, direction: string): string {
  const conn = formatConn(s.conn);
  switch (s.verdict) {
    case "accept":
      return `${conn}: accepted by ${ruleText(s.rule!)}`;
    case "deny":
      return `${conn}: denied by ${ruleText(s.rule!)}`;
    case "pass":
      return `${conn}: passed by ${ruleText(s.rule!)} to the next tier`;
    case "allow":
      return `${conn}: allowed by ${ruleText(s.rule!)}`;
    case "isolated":
      return `${conn}: denied: ${subject} is isolated for ${direction} by ${(s.policies ?? []).map(formatObjectRef).join(", ")}, and no ${direction} rule allows it`;
    case "default":
      return `${conn}: allowed by default (no ${s.tier === "default" ? "policy" : TIER_NAME[s.tier]} decided it)`;
  }
}

export function directionText(
  d: DirectionExplanation,
  subjectName: string | undefined,
  focus?: ExplainFocus,
): string[] {
  if (d.subject === undefined)
    return [`  ${d.direction}: an address outside the cluster is not subject to policy`];
  const head = `  ${d.direction} (policies of ${subjectName}):`;
  const onlyDefault =
    d.steps.length === 1 &&
    d.steps[0]!.verdict === "default" &&
    formatConn(d.steps[0]!.conn) === "All Connections";
  if (onlyDefault)
    return [`  ${d.direction}: no policy selects ${subjectName} for ${d.direction}: allowed by default`];
  const steps = focus ? d.steps.filter((s) => connContains(s.conn, focus.protocol, focus.port)) : d.steps;
  return [head, ...steps.map((s) => `    ${stepText(s, subjectName ?? "", d.direction)}`)];
}

export function explanationText(
  e: PairExplanation,
  srcName: string,
  dstName: string,
  focus?: ExplainFocus,
): string[] {
  return [...directionText(e.egress, srcName, focus), ...directionText(e.ingress, dstName, focus)];
}

export function explanationJson(e: PairExplanation): unknown {
  const dir = (d: DirectionExplanation) => ({
    direction: d.direction,
    allowed: formatConn(d.allowed),
    steps: d.steps.map((s) => ({
      tier: s.tier,
      verdict: s.verdict,
      conn: formatConn(s.conn),
      ...(s.rule
        ? {
            rule: {
              policy: formatObjectRef(s.rule.policy),
              direction: s.rule.direction,
              index: s.rule.index,
              ...(s.rule.name ? { name: s.rule.name } : {}),
              source: formatPosition(s.rule.source),
            },
          }
        : {}),
      ...(s.policies ? { policies: s.policies.map(formatObjectRef) } : {}),
    })),
  });
  return { allowed: formatConn(e.allowed), egress: dir(e.egress), ingress: dir(e.ingress) };
}
