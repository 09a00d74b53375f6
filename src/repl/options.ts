/**
 * The REPL's one Options type, its defaults and its validation: built the same way by the CLI
 * (`netpolc repl`), the tests and the benchmark.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from "../model/index.js";
import { DEFAULT_TIMEOUT_MS } from "../solver/index.js";

export interface ReplOptions {
  readonly model: ModelOptions;
  /** Parser strictness, for the input and for `what if apply` files. */
  readonly strict: boolean;
  /** z3 time limit per check, in milliseconds. */
  readonly timeoutMs: number;
  /** Answers as JSON, one object per line. */
  readonly json: boolean;
  /** ANSI colours: off when NO_COLOR is set (to anything non-empty) or output is no terminal. */
  readonly color: boolean;
  /** Where interactive history is kept; undefined: not kept. */
  readonly historyFile: string | undefined;
  readonly historySize: number;
}

export const DEFAULT_HISTORY_SIZE = 1000;

export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.NETPOLC_HISTORY || join(homedir(), ".netpolc_history");
}

/** NO_COLOR (https://no-color.org): present and non-empty disables colour. */
export function colorWanted(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && !env.NO_COLOR;
}

/** Complete options from partial ones; throws RangeError on invalid values (the CLI checks first). */
export function replOptions(partial: Partial<ReplOptions> = {}): ReplOptions {
  const timeoutMs = partial.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  const historySize = partial.historySize ?? DEFAULT_HISTORY_SIZE;
  if (!Number.isInteger(historySize) || historySize < 0)
    throw new RangeError(`historySize must be >= 0, got ${historySize}`);
  return Object.freeze({
    model: partial.model ?? DEFAULT_MODEL_OPTIONS,
    strict: partial.strict ?? false,
    timeoutMs,
    json: partial.json ?? false,
    color: partial.color ?? false,
    historyFile: partial.historyFile,
    historySize,
  });
}
