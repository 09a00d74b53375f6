/**
 * Process edges: writing without truncation and turning diagnostics into text. Output goes through
 * `process.stdout.write` and the process ends naturally (`process.exitCode`), never `process.exit`,
 * so pipes receive every byte.
 */
import { type Diagnostic, formatObjectRef, formatPosition } from "../common/index.js";

/** Exit codes (documented in README): */
export const EXIT = { ok: 0, finding: 1, invalid: 2 } as const;

// A reader that stops early (`netpolc list … | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

export function writeOut(text: string): void {
  if (text.length > 0) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${formatPosition(d.source)}: ` : "";
  const obj = d.object ?? d.source?.object;
  const field = d.source?.path ? ` at ${d.source.path}` : "";
  // Messages that already name their object (the parser's do) are not suffixed again.
  const named = obj && d.message.includes(formatObjectRef(obj));
  const head = `${where}${d.severity} ${d.code}: ${d.message}${obj && !named ? ` (${formatObjectRef(obj)}${field})` : ""}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** Prints diagnostics to stderr (info only when verbose) and tells whether any is an error. */
export function reportDiagnostics(
  diagnostics: readonly Diagnostic[],
  opts: { verbose?: boolean; quiet?: boolean } = {},
): boolean {
  let errors = false;
  const lines: string[] = [];
  for (const d of diagnostics) {
    if (d.severity === "error") errors = true;
    if (opts.quiet && d.severity !== "error") continue;
    if (d.severity === "info" && !opts.verbose) continue;
    lines.push(formatDiagnostic(d));
  }
  if (lines.length > 0) process.stderr.write(`${lines.join("\n")}\n`);
  return errors;
}
