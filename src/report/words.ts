/** Words shared by the renderers: risks, change marks, locations, verdicts. */
import type { ChangeEntry, CheckReport, Finding, Location, Risk } from "./types.js";

export const RISK_WORDS: Readonly<Record<Risk, string>> = {
  "sensitive-namespace": "into a sensitive namespace",
  "external-ingress": "from outside the cluster",
  "default-allow": "no policy isolates",
  "cross-namespace": "across namespaces",
  "external-egress": "to outside the cluster",
};

export const CHANGE_MARK = { added: "+", removed: "-", changed: "~" } as const;

export function locationText(l: Location): string {
  return `${l.file}:${l.line}:${l.column}`;
}

/** `TCP 80 → TCP 80,443`, `+ TCP 443`, `- TCP 80`. */
export function changeConnText(c: ChangeEntry): string {
  if (c.type === "added") return c.after;
  if (c.type === "removed") return c.before;
  return `${c.before} → ${c.after}`;
}

export function risksText(c: ChangeEntry): string {
  return c.risks.map((r) => RISK_WORDS[r]).join("; ");
}

/** Findings listed on their own: not guarantee verdicts and not changes (they have their sections). */
export function standaloneFindings(r: CheckReport): Finding[] {
  return r.findings.filter((f) => f.origin !== "guarantee" && f.origin !== "change");
}

export function verdictLine(r: CheckReport): string {
  const s = r.summary;
  return s.verdict === "pass"
    ? `check passed (--fail-on ${r.failOn})`
    : `check failed: ${s.reasons.join(", ")} (--fail-on ${r.failOn})`;
}

export function baseName(r: CheckReport): string | undefined {
  return r.inputs.base?.name;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
