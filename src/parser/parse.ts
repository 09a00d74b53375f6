/** The pure entry point: one text in, validated objects and diagnostics out. */
import { parseFile } from "./document.js";
import { resolveDuplicates } from "./duplicates.js";
import { type ParseOptions, type ParseResult, resolveParseOptions } from "./options.js";

/**
 * Parses one YAML or JSON text (any number of documents, `List`s unwrapped). `file` names the text in
 * positions and messages. Duplicate objects within the text are resolved as in `loadPaths`.
 */
export function parseText(text: string, file: string, options?: ParseOptions): ParseResult {
  const opts = resolveParseOptions(options);
  const r = parseFile(text, file, opts);
  return resolveDuplicates(r.objects, r.others, r.diagnostics, opts.strict);
}
