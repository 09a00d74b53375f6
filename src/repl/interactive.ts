/**
 * The interactive loop on a terminal (node's readline): prompt, Tab completion, history kept in a
 * file, multi-line input, ctrl-C. One query runs at a time; lines typed meanwhile wait their turn.
 *
 * ctrl-C: cancels the running query (z3 is interrupted); otherwise clears the line or the unfinished
 * multi-line query; on an empty prompt, a second ctrl-C leaves. ctrl-D or `.exit` leave.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { complete, type Vocabulary, vocabulary } from "./complete.js";
import { paint, renderText } from "./render.js";
import type { Session } from "./session.js";
import { Cancellation } from "./solver.js";

/** Whether a query continues on the next line: a final `\`, or an open `(` or `{`. */
export function continues(text: string): boolean {
  if (/\\\s*$/.test(text)) return true;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(" || ch === "{") depth++;
    else if (ch === ")" || ch === "}") depth--;
  }
  return depth > 0;
}

export function loadHistory(file: string | undefined, size: number): string[] {
  if (!file) return [];
  try {
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    return lines.slice(-size).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string | undefined, query: string): void {
  // Leaving is not worth recalling in the next session (its first ↑ would leave again).
  if (!file || /^\s*\.?(exit|quit)\s*$/.test(query)) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${query.replace(/\s*\n\s*/g, " ")}\n`);
  } catch {
    // History is a convenience: an unwritable file must not end the session.
  }
}

export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/** Runs until `.exit`, ctrl-D or a second ctrl-C; resolves with the exit code of the last answer. */
export function interactive(session: Session, term: Terminal, banner: string): Promise<number> {
  const o = session.options;
  const color = o.color;
  let vocab: { state: unknown; v: Vocabulary } | undefined;
  const currentVocab = () => {
    if (vocab?.state !== session.state) vocab = { state: session.state, v: vocabulary(session.state) };
    return vocab.v;
  };
  const rl = createInterface({
    input: term.input,
    output: term.output,
    terminal: true,
    prompt: "netpolc> ",
    history: loadHistory(o.historyFile, o.historySize),
    historySize: o.historySize,
    removeHistoryDuplicates: true,
    completer: (line: string) => complete(line, currentVocab),
  });
  const out = (text: string) => term.output.write(text.endsWith("\n") ? text : `${text}\n`);
  out(banner);
  let buffer: string[] = [];
  let running: Cancellation | undefined;
  let exitCode = 0;
  let armed = false;
  const queue: string[] = [];

  const prompt = () => {
    rl.setPrompt(buffer.length > 0 ? "     ... " : "netpolc> ");
    rl.prompt();
  };

  const run = async (): Promise<void> => {
    while (queue.length > 0) {
      const query = queue.shift()!;
      running = new Cancellation((message) => out(paint(color, "dim", `(${message} ctrl-C cancels)`)));
      const answer = await session.answer(query, running);
      running = undefined;
      if (answer.json.exit === true) {
        rl.close();
        return;
      }
      if (answer.lines.length > 0 || answer.error)
        out(
          answer.json.verdict === "interrupted"
            ? paint(color, "yellow", "interrupted")
            : renderText(query, answer, color),
        );
      exitCode =
        answer.verdict === "error" ? 2 : answer.verdict === "no" || answer.verdict === "partial" ? 1 : 0;
    }
    prompt();
  };

  rl.on("line", (line) => {
    armed = false;
    buffer.push(line);
    const text = buffer.join("\n");
    if (continues(text)) {
      prompt();
      return;
    }
    buffer = [];
    const query = text.replace(/\\\n/g, "\n");
    if (query.trim() === "") {
      if (!running) prompt();
      return;
    }
    saveHistory(o.historyFile, query);
    queue.push(query);
    if (!running && queue.length === 1) void run();
  });

  rl.on("SIGINT", () => {
    if (running) {
      running.cancel();
      return;
    }
    const typed = rl.line.length > 0 || buffer.length > 0;
    buffer = [];
    if (typed) {
      out("^C");
      armed = false;
    } else if (armed) {
      rl.close();
      return;
    } else {
      out("\n(To exit, press ctrl-C again or type .exit)");
      armed = true;
    }
    // Clear what was typed: a fresh prompt on a new line.
    (rl as unknown as { line: string }).line = "";
    prompt();
  });

  prompt();
  return new Promise((resolve) => {
    rl.on("close", () => {
      running?.cancel();
      resolve(exitCode);
    });
  });
}
