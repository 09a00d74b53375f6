/**
 * `-o github`: GitHub Actions workflow commands, which the runner turns into annotations on the pull
 * request's files (`::error file=…,line=…,col=…,title=…::message`). Errors and warnings are
 * annotated; notes only when they fail the check (`--fail-on connectivity-change`). The last line
 * is the verdict, as plain log text. Escaping follows the runner's rules: `%`, CR and LF in the
 * message; also `:` and `,` in properties.
 */
import type { CheckReport, Finding } from "./types.js";
import { verdictLine } from "./words.js";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const COMMAND = { error: "error", warning: "warning", info: "notice" } as const;

function annotation(f: Finding, r: CheckReport): string {
  const props: string[] = [];
  // Annotations need a file of the repository; standard input and git-ref base files have none.
  if (f.location && !f.location.file.startsWith("<") && !f.location.file.includes(":")) {
    props.push(
      `file=${escapeProperty(f.location.file)}`,
      `line=${f.location.line}`,
      `col=${f.location.column}`,
    );
  }
  props.push(`title=${escapeProperty(`netpolc ${f.code}`)}`);
  const guarantee =
    f.origin === "guarantee"
      ? r.guarantees.find((g) => g.location.file === f.location?.file && g.location.line === f.location.line)
      : undefined;
  const details = guarantee?.counterexample ? guarantee.counterexample.text.slice(1) : [];
  const text = [f.message, ...details, ...(f.hint ? [`hint: ${f.hint}`] : [])].join("\n");
  return `::${COMMAND[f.severity]} ${props.join(",")}::${escapeData(text)}`;
}

export function renderGithub(r: CheckReport): string {
  const shown = r.findings.filter((f) => f.severity !== "info" || f.failing);
  return `${[...shown.map((f) => annotation(f, r)), `netpolc: ${verdictLine(r)}`].join("\n")}\n`;
}
