/**
 * Structured logs: one JSON object per line on a stream (stdout by default), with time, level and
 * message first. Levels below the configured one are dropped.
 */
import type { Writable } from "node:stream";

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(out: Writable = process.stdout, level: Level = "info"): Logger {
  const write = (l: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[l] < ORDER[level]) return;
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...clean })}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
