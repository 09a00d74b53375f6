/**
 * Non-interactive use: queries from `-e` or from standard input (one per line; `\` or an open
 * bracket continues a query; blank lines and `#` comments are skipped). One answer per query, as
 * text or as one JSON object per line; the exit code is the last answer's.
 */
import { EXIT_OF } from "./answer.js";
import { continues } from "./interactive.js";
import { renderJson, renderText } from "./render.js";
import type { Session } from "./session.js";

/** Cuts a text into queries. */
export function splitQueries(text: string): string[] {
  const out: string[] = [];
  let buffer: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (buffer.length === 0 && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    buffer.push(line);
    const joined = buffer.join("\n");
    if (continues(joined)) continue;
    out.push(joined.replace(/\\\n/g, "\n"));
    buffer = [];
  }
  if (buffer.length > 0) out.push(buffer.join("\n"));
  return out;
}

export async function runBatch(
  session: Session,
  queries: Iterable<string> | AsyncIterable<string>,
  write: (text: string) => void,
): Promise<number> {
  let code = 0;
  for await (const query of queries) {
    const answer = await session.answer(query);
    if (answer.json.exit === true) break;
    const text = session.options.json ? renderJson(answer) : renderText(query, answer, session.options.color);
    if (text !== "") write(text.endsWith("\n") ? text : `${text}\n`);
    if (query.trim() !== "") code = EXIT_OF[answer.verdict];
  }
  return code;
}
