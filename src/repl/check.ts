/**
 * `check CLAIM` and `check FILE`: solver verdicts (holds / fails with a counterexample / unknown),
 * exactly as `netpolc verify` gives them, on the session's current state.
 */
import { readFile } from "node:fs/promises";
import { formatDiagnostic } from "../cli/io.js";
import { parseClaim, parseGuarantees } from "../parser/guarantees/index.js";
import type { Guarantee } from "../parser/index.js";
import { type Answer, errorAnswer } from "./answer.js";
import type { Command } from "./command.js";
import { fromFragment, queryError } from "./query-error.js";
import type { Session } from "./session.js";
import { checkClaimNames } from "./set-names.js";
import { type Cancellation, counterexampleLines, queryGuarantee, resultJson, verifyAll } from "./solver.js";

const MARK = { holds: "✓", fails: "✗", unknown: "?" } as const;

export async function answerCheck(
  s: Session,
  query: string,
  cmd: Extract<Command, { kind: "check" }>,
  cancel: Cancellation,
): Promise<Answer> {
  let guarantees: Guarantee[];
  const notes: string[] = [];
  if (cmd.file) {
    let text: string;
    try {
      text = await readFile(cmd.file.text, "utf8");
    } catch (e) {
      return errorAnswer(
        query,
        queryError("NP1001", `cannot read ${cmd.file.text}: ${(e as Error).message}`, cmd.file),
      );
    }
    const parsed = parseGuarantees(text, cmd.file.text);
    notes.push(...parsed.diagnostics.map(formatDiagnostic));
    guarantees = [...parsed.file.guarantees];
    if (guarantees.length === 0)
      return errorAnswer(
        query,
        queryError("NP4001", `${cmd.file.text} holds no valid guarantee`, cmd.file, notes[0]),
      );
  } else {
    const seg = cmd.claim!;
    if (/^guarantee\b/.test(seg.text)) {
      const parsed = parseGuarantees(seg.text, "<query>");
      const error = parsed.diagnostics.find((d) => d.severity === "error");
      if (error) return errorAnswer(query, fromFragment(query, seg.start, seg.text, error));
      guarantees = [...parsed.file.guarantees];
      for (const g of guarantees) {
        const bad = checkClaimNames(s.state, query, seg.start, seg.text, g.claim);
        if (bad) return errorAnswer(query, bad);
      }
    } else {
      const parsed = parseClaim(seg.text, "<query>");
      const error = parsed.diagnostics.find((d) => d.severity === "error");
      if (!parsed.claim || error)
        return errorAnswer(query, fromFragment(query, seg.start, seg.text, error ?? parsed.diagnostics[0]!));
      const bad = checkClaimNames(s.state, query, seg.start, seg.text, parsed.claim);
      if (bad) return errorAnswer(query, bad);
      guarantees = [queryGuarantee(parsed.claim, seg.text)];
    }
  }
  const results = await verifyAll(s.state, guarantees, s.options, cancel);
  const lines: string[] = [...notes];
  for (const r of results) {
    lines.push(`${MARK[r.verdict]} ${r.guarantee.name}: ${r.verdict}${r.reason ? ` (${r.reason})` : ""}`);
    if (r.verdict === "fails") lines.push(...counterexampleLines(r));
  }
  const verdict = results.every((r) => r.verdict === "holds")
    ? "yes"
    : results.some((r) => r.verdict === "fails")
      ? "no"
      : "partial";
  return { verdict, lines, json: { query, verdict, results: results.map(resultJson) } };
}
