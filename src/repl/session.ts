/**
 * A REPL session: the input loaded once, a stack of states (`what if` pushes, `undo` pops, `reset`
 * returns to the first), and `answer(query)`, which never throws: every problem is an answer.
 */
import type { Diagnostic } from "../common/index.js";
import { analyze, buildCluster } from "../model/index.js";
import { loadPaths } from "../parser/index.js";
import { type Answer, errorAnswer, info } from "./answer.js";
import { answerCheck } from "./check.js";
import { parseCommand } from "./command.js";
import { HELP } from "./help.js";
import type { ReplOptions } from "./options.js";
import { queryError } from "./query-error.js";
import { answerCan, answerWhy } from "./reach.js";
import { answerList, answerShowPolicies, answerShowWorkload } from "./show.js";
import { Cancellation, Interrupted } from "./solver.js";
import { State } from "./state.js";
import { answerWhatIf } from "./whatif.js";
import { answerFocus } from "./who.js";

export class Session {
  private readonly stack: State[];

  constructor(
    initial: State,
    readonly options: ReplOptions,
  ) {
    this.stack = [initial];
  }

  get state(): State {
    return this.stack[this.stack.length - 1]!;
  }

  /** How many `what if` changes are in force. */
  get depth(): number {
    return this.stack.length - 1;
  }

  push(s: State): void {
    this.stack.push(s);
  }

  /** Answers one query; `.exit` is the caller's to handle (its answer has verdict `info`). */
  async answer(query: string, cancel: Cancellation = new Cancellation()): Promise<Answer> {
    try {
      return await this.dispatch(query, cancel);
    } catch (e) {
      if (e instanceof Interrupted)
        return { verdict: "error", lines: ["interrupted"], json: { query, verdict: "interrupted" } };
      const message = e instanceof Error ? e.message : String(e);
      return errorAnswer(
        query,
        queryError("NP9001", `internal error: ${message}`, undefined, "please report this query"),
      );
    }
  }

  private async dispatch(query: string, cancel: Cancellation): Promise<Answer> {
    const cmd = parseCommand(query);
    if ("diagnostic" in cmd) return errorAnswer(query, cmd);
    switch (cmd.kind) {
      case "empty":
        return info(query, []);
      case "help":
        return info(query, HELP);
      case "exit":
        return info(query, [], { exit: true });
      case "can":
        return answerCan(this, query, cmd, cancel);
      case "who":
      case "what":
        return answerFocus(this, query, cmd);
      case "why":
        return answerWhy(this, query, cmd);
      case "whatif":
        return answerWhatIf(this, query, cmd.edit, cmd.text);
      case "undo": {
        if (this.stack.length === 1) return info(query, ["nothing to undo"], { depth: 0 });
        const undone = this.stack.pop()!;
        return info(query, [`undone: what if ${undone.origin}`], {
          undone: undone.origin,
          depth: this.depth,
        });
      }
      case "reset": {
        const n = this.stack.length - 1;
        this.stack.length = 1;
        return info(
          query,
          [n === 0 ? "nothing to reset" : `reset: ${n} change${n === 1 ? "" : "s"} undone`],
          { undone: n, depth: 0 },
        );
      }
      case "check":
        return answerCheck(this, query, cmd, cancel);
      case "show-policies":
        return answerShowPolicies(this, query, cmd);
      case "show-workload":
        return answerShowWorkload(this, query, cmd);
      case "list":
        return answerList(this, query);
    }
  }
}

/**
 * Loads the input once and analyses it.
 * 1. Read and validate the manifests. 2. Build the cluster. 3. Analyse it (the first state).
 */
export async function loadSession(
  paths: readonly string[],
  options: ReplOptions,
): Promise<{ session: Session; diagnostics: readonly Diagnostic[] }> {
  const parsed = await loadPaths(paths, { strict: options.strict });
  const built = buildCluster(parsed.objects);
  const analysis = analyze(built.cluster, options.model);
  const state = new State(parsed.objects, built.cluster, options.model, "load", analysis);
  return { session: new Session(state, options), diagnostics: [...parsed.diagnostics, ...built.diagnostics] };
}
