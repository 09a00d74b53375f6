/**
 * `-o text` (default): for a terminal. Guarantees, findings, connectivity changes, then the verdict
 * on the last line, where a terminal user looks. Colours only when asked (a terminal without
 * NO_COLOR).
 */
import type { CheckReport, Finding, GuaranteeEntry } from "./types.js";
import {
  CHANGE_MARK,
  changeConnText,
  locationText,
  risksText,
  standaloneFindings,
  verdictLine,
} from "./words.js";

export interface TextOptions {
  readonly color?: boolean;
}

const MARK = { holds: "✓", fails: "✗", unknown: "?" } as const;

export function renderText(r: CheckReport, o: TextOptions = {}): string {
  const paint = (code: number) => (s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const [red, green, yellow, dim] = [paint(31), paint(32), paint(33), paint(2)];
  const out: string[] = [];
  // 1. Guarantees.
  if (r.guarantees.length > 0) {
    const g = r.summary.guarantees;
    out.push(`Guarantees (${r.inputs.guarantees}): ${g.holds} hold, ${g.fails} fail, ${g.unknown} undecided`);
    for (const e of r.guarantees) out.push(...guaranteeLines(e, { red, green, yellow }));
    out.push("");
  }
  // 2. Findings of the input, the guarantees file and the lints.
  const findings = standaloneFindings(r);
  if (findings.length > 0) {
    out.push(`Findings: ${findings.length}`);
    for (const f of findings) out.push(`  ${findingLine(f, { red, yellow })}`);
    out.push("");
  }
  // 3. Connectivity changes.
  if (r.changes) {
    const c = r.summary.changes;
    out.push(
      r.changes.length === 0
        ? `Connectivity: no change from ${r.inputs.base?.name}`
        : `Connectivity changes from ${r.inputs.base?.name}: ${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.risky} risky`,
    );
    for (const ch of r.changes) {
      const risk = ch.risks.length > 0 ? yellow(`  [${risksText(ch)}]`) : "";
      const where = ch.location ? dim(`  (${locationText(ch.location)})`) : "";
      out.push(
        `  ${CHANGE_MARK[ch.type]} ${ch.src.name} → ${ch.dst.name}: ${changeConnText(ch)}${risk}${where}`,
      );
    }
    out.push("");
  }
  // 4. The verdict.
  out.push(r.summary.verdict === "pass" ? green(`✓ ${verdictLine(r)}`) : red(`✗ ${verdictLine(r)}`));
  return `${out.join("\n")}\n`;
}

function guaranteeLines(
  g: GuaranteeEntry,
  c: { red: (s: string) => string; green: (s: string) => string; yellow: (s: string) => string },
): string[] {
  const paint = g.verdict === "holds" ? c.green : g.verdict === "fails" ? c.red : c.yellow;
  const head = `  ${paint(MARK[g.verdict])} ${g.name}: ${g.verdict}${g.reason ? ` (${g.reason})` : ""}`;
  if (g.verdict === "holds") return [head];
  const lines = [head, `      ${g.statement}`, `      ${locationText(g.location)}`];
  if (g.counterexample) {
    const [first, ...rest] = g.counterexample.text;
    lines.push(`    counterexample: ${first}`, ...rest.map((l) => `      ${l}`));
  }
  return lines;
}

function findingLine(f: Finding, c: { red: (s: string) => string; yellow: (s: string) => string }): string {
  const where = f.location ? `${locationText(f.location)}: ` : "";
  const sev =
    f.severity === "error" ? c.red(f.severity) : f.severity === "warning" ? c.yellow(f.severity) : f.severity;
  const obj = f.location?.object && !f.message.includes(f.location.object) ? ` (${f.location.object})` : "";
  return `${where}${sev} ${f.code}: ${f.message}${obj}${f.hint ? `\n    hint: ${f.hint}` : ""}`;
}
