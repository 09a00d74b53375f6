/**
 * `-o markdown`: a pull-request comment (or a job summary). The verdict first, then a compact table
 * of connectivity changes (risky first), then the details folded: guarantees with counterexamples,
 * findings, and every change. Kept under GitHub's 65,536-character comment limit by cutting lists
 * (with a count of what was cut).
 */
import type { ChangeEntry, CheckReport, Finding, GuaranteeEntry } from "./types.js";
import { CHANGE_MARK, locationText, plural, risksText, standaloneFindings } from "./words.js";

export const MARKDOWN_LIMITS = { table: 25, details: 200, chars: 60_000 } as const;

/** Text for a table cell: no HTML, no pipes, no line breaks. */
function cell(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

function code(s: string): string {
  return s.includes("`") ? cell(s) : `\`${s.replace(/\|/g, "\\|")}\``;
}

const VERDICT_ICON = { holds: "✅", fails: "❌", unknown: "❔" } as const;
const SEVERITY_ICON = { error: "❌", warning: "⚠️", info: "ℹ️" } as const;

function riskFirst(changes: readonly ChangeEntry[]): ChangeEntry[] {
  return [...changes].sort((a, b) => (b.risks.length > 0 ? 1 : 0) - (a.risks.length > 0 ? 1 : 0));
}

function changeTable(changes: readonly ChangeEntry[], limit: number): string[] {
  const rows = changes
    .slice(0, limit)
    .map(
      (c) =>
        `| ${CHANGE_MARK[c.type]} | ${code(c.src.name)} | ${code(c.dst.name)} | ${cell(c.type === "added" ? "—" : c.before)} | ${cell(c.type === "removed" ? "—" : c.after)} | ${c.risks.length > 0 ? `⚠️ ${cell(risksText(c))}` : ""} | ${c.location ? code(locationText(c.location)) : ""} |`,
    );
  const more = changes.length > limit ? [``, `…and ${changes.length - limit} more.`] : [];
  return [
    "| | source | destination | before | after | risk | where |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    ...more,
  ];
}

function guaranteeBlock(g: GuaranteeEntry): string[] {
  const head = `- ${VERDICT_ICON[g.verdict]} **${cell(g.name)}**: ${g.verdict}${g.reason ? ` (${cell(g.reason)})` : ""} — ${code(locationText(g.location))}`;
  if (g.verdict === "holds") return [head];
  const body = [g.statement, ...(g.counterexample ? ["", "counterexample:", ...g.counterexample.text] : [])];
  return [head, "", "  ```text", ...body.map((l) => `  ${l}`), "  ```"];
}

function findingRow(f: Finding): string {
  return `| ${SEVERITY_ICON[f.severity]} ${f.severity} | ${f.code} | ${f.location ? code(locationText(f.location)) : ""} | ${cell(f.message)}${f.hint ? `<br>hint: ${cell(f.hint)}` : ""} |`;
}

function details(summary: string, body: readonly string[]): string[] {
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>", ""];
}

export function renderMarkdown(r: CheckReport): string {
  const s = r.summary;
  const out: string[] = [];
  // 1. Verdict.
  const base = r.inputs.base ? ` · base \`${r.inputs.base.name}\`` : "";
  out.push(
    s.verdict === "pass" ? "### ✅ netpolc check passed" : "### ❌ netpolc check failed",
    "",
    `${s.reasons.length > 0 ? `**${s.reasons.join(", ")}**` : "No finding fails the check"} · \`--fail-on ${r.failOn}\`${base}`,
    "",
    `Guarantees: ${s.guarantees.holds} hold, ${s.guarantees.fails} fail, ${s.guarantees.unknown} undecided · Findings: ${plural(s.findings.error, "error", "errors")}, ${plural(s.findings.warning, "warning", "warnings")}, ${plural(s.findings.info, "note", "notes")}`,
    "",
  );
  // 2. Connectivity changes, compact.
  if (r.changes) {
    const c = s.changes;
    if (r.changes.length === 0) out.push("No connectivity change.", "");
    else
      out.push(
        `**Connectivity changes:** ${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.risky} risky`,
        "",
        ...changeTable(riskFirst(r.changes), MARKDOWN_LIMITS.table),
        "",
      );
  }
  // 3. Details, folded.
  const head = out.join("\n");
  const folded: string[][] = [];
  if (r.guarantees.length > 0)
    folded.push(
      details(
        `Guarantees: ${s.guarantees.holds} hold, ${s.guarantees.fails} fail, ${s.guarantees.unknown} undecided`,
        r.guarantees.flatMap(guaranteeBlock),
      ),
    );
  const findings = standaloneFindings(r);
  if (findings.length > 0) {
    const shown = findings.slice(0, MARKDOWN_LIMITS.details);
    const more = findings.length > shown.length ? ["", `…and ${findings.length - shown.length} more.`] : [];
    folded.push(
      details(`Findings (${findings.length})`, [
        "| severity | code | where | message |",
        "|---|---|---|---|",
        ...shown.map(findingRow),
        ...more,
      ]),
    );
  }
  if (r.changes && r.changes.length > MARKDOWN_LIMITS.table)
    folded.push(
      details(
        `All connectivity changes (${r.changes.length})`,
        changeTable(r.changes, MARKDOWN_LIMITS.details),
      ),
    );
  let text = head;
  for (const block of folded) {
    const next = `${text}\n${block.join("\n")}`;
    if (next.length > MARKDOWN_LIMITS.chars) {
      text += "\n_Details cut to fit a comment: see the full report (`-o json` or `-o html`)._\n";
      break;
    }
    text = next;
  }
  return text.endsWith("\n") ? text : `${text}\n`;
}
