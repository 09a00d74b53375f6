/**
 * One file's text → candidate objects → validated objects, with every problem as a diagnostic.
 * Documents are cut apart before parsing (split.ts), so a broken document loses only itself.
 */
import { type Diagnostic, type DiagnosticCode, diagnostic, type Severity } from "../common/index.js";
import { collectCandidates } from "./candidates.js";
import { type ComposedDocument, ComposeError, composeChunk } from "./compose.js";
import type { K8sObject, OtherObject } from "./k8s.js";
import { LineIndex } from "./lines.js";
import type { ResolvedParseOptions } from "./options.js";
import { isPlainObject } from "./positions.js";
import { ObjectLocator } from "./report.js";
import { batchChunks, type Chunk, splitDocuments } from "./split.js";
import { validateCandidate } from "./validate.js";

export interface FileResult {
  readonly objects: K8sObject[];
  readonly others: OtherObject[];
  readonly diagnostics: Diagnostic[];
}

/** Characters of YAML parsed per parser call (see batchChunks). */
const BATCH_CHARS = 1 << 19;

export function parseFile(text: string, file: string, options: ResolvedParseOptions): FileResult {
  return new FileParse(text, file, options).run();
}

class FileParse {
  readonly out: FileResult = { objects: [], others: [], diagnostics: [] };
  private readonly lines: LineIndex;
  private documents = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly options: ResolvedParseOptions,
  ) {
    this.lines = new LineIndex(text);
  }

  run(): FileResult {
    const { text, file, options } = this;
    // 1. Reject what is too large or not text.
    if (text.length > options.maxFileBytes / 3 && Buffer.byteLength(text, "utf8") > options.maxFileBytes) {
      const limit = `${file} is larger than the input limit of ${options.maxFileBytes} bytes`;
      this.report(
        "NP1009",
        "error",
        0,
        limit,
        "raise the limit (maxFileBytes) if the file is meant to be read",
      );
      return this.out;
    }
    const nul = text.indexOf("\u0000");
    if (nul >= 0) {
      this.report("NP1005", "error", nul, `${file} is a binary file (NUL byte), not YAML or JSON`);
      return this.out;
    }
    // 2. Parse batch by batch; a batch with a syntax error is parsed again document by document.
    for (const batch of batchChunks(splitDocuments(text), BATCH_CHARS)) {
      const whole = this.compose(batch[0] as Chunk, batch[batch.length - 1] as Chunk, false);
      if (whole) whole.forEach((doc) => this.document(doc));
      else for (const chunk of batch) this.compose(chunk, chunk, true)?.forEach((doc) => this.document(doc));
    }
    if (this.documents === 0) this.report("NP1004", "warning", 0, `${file} is empty: no YAML document in it`);
    return this.out;
  }

  private compose(first: Chunk, last: Chunk, reportErrors: boolean): ComposedDocument[] | undefined {
    try {
      return composeChunk(this.text, first.start, last.end);
    } catch (e) {
      if (!(e instanceof ComposeError)) throw e;
      if (reportErrors) this.syntaxError(e, first);
      return undefined;
    }
  }

  private syntaxError(e: ComposeError, chunk: Chunk): void {
    const text = this.text;
    this.documents++;
    // An error at the end of the document is placed just after its last character.
    const early = text.slice(e.offset, chunk.end).trim() === "";
    const at = early ? chunk.start + text.slice(chunk.start, chunk.end).trimEnd().length : e.offset;
    const lineStart = text.lastIndexOf("\n", e.offset - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? "";
    const hint =
      indent.includes("\t") || /\btab/.test(e.reason)
        ? "YAML forbids tabs for indentation; indent with spaces"
        : early
          ? "the document ends early: look for an unclosed bracket, brace or quote"
          : undefined;
    const what = early ? `unexpected end of the document (${e.reason})` : e.reason;
    this.report("NP1002", "error", at, `YAML syntax error: ${what}`, hint);
  }

  // 3. Collect a document's objects (unwrapping lists) and validate each.
  private document(doc: ComposedDocument): void {
    if (doc.value === undefined || doc.value === null) return;
    this.documents++;
    if (!isPlainObject(doc.value)) {
      const it = Array.isArray(doc.value) ? "a list" : "a scalar";
      this.report(
        "NP1006",
        "warning",
        doc.table.entryAt(doc.slot),
        `document is not a Kubernetes object (it is ${it}); skipped`,
      );
      return;
    }
    const { found, notObjects, strayDuplicates } = collectCandidates(doc, doc.value);
    for (const at of notObjects)
      this.report("NP1006", "warning", at, "list item is not a Kubernetes object (not a mapping); skipped");
    for (const d of strayDuplicates) {
      const hint = "the API server rejects duplicate keys; keep one";
      this.report("NP1003", "error", d.offset, `duplicate key "${d.key}"; the document is skipped`, hint);
    }
    if (strayDuplicates.length > 0) return;
    for (const { candidate: c } of found) {
      const loc = new ObjectLocator(this.file, this.lines, c.body, c.table, c.slot);
      const o = validateCandidate(c, loc, this.text, this.options.strict);
      this.out.diagnostics.push(...o.diagnostics);
      if (o.object) this.out.objects.push(o.object);
      if (o.other) this.out.others.push(o.other);
    }
  }

  private report(
    code: DiagnosticCode,
    severity: Severity,
    offset: number,
    message: string,
    hint?: string,
  ): void {
    const { line, column } = this.lines.at(offset);
    const sev = this.options.strict && severity === "warning" ? "error" : severity;
    this.out.diagnostics.push(
      diagnostic(code, sev, message, { source: { file: this.file, line, column }, hint }),
    );
  }
}
