/**
 * Drives `netpolc repl` through a real pseudo-terminal (node-pty): keystrokes in, the screen's text
 * out (ANSI sequences removed), waiting for expected text with a deadline.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "dist", "src", "cli", "main.js");

type IPty = {
  onData(f: (d: string) => void): void;
  onExit(f: (e: { exitCode: number; signal?: number }) => void): void;
  write(d: string): void;
  kill(signal?: string): void;
};
type PtyModule = { spawn(file: string, args: string[], o: Record<string, unknown>): IPty };

/** node-pty, or why it cannot be loaded (a native module built at install time). */
export function loadPty(): PtyModule | string {
  try {
    return createRequire(import.meta.url)("node-pty") as PtyModule;
  } catch (e) {
    return (e as Error).message;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\r/g;

export class Terminal {
  private raw = "";
  exit: Promise<number>;
  private readonly pty: IPty;

  constructor(mod: PtyModule, args: readonly string[], env: Record<string, string> = {}) {
    this.pty = mod.spawn(process.execPath, [BIN, ...args], {
      name: "xterm",
      cols: 200,
      rows: 50,
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", TERM: "xterm", ...env },
    });
    this.pty.onData((d) => {
      this.raw += d;
    });
    this.exit = new Promise((resolve) => this.pty.onExit((e) => resolve(e.exitCode)));
  }

  /** Everything shown so far, without escape sequences. */
  get text(): string {
    return this.raw.replace(ANSI, "");
  }

  type(keys: string): void {
    this.pty.write(keys);
  }

  /** Each argument as a separate write, 50 ms apart (as a person types, not as a paste). */
  async keys(...chunks: string[]): Promise<void> {
    for (const c of chunks) {
      this.pty.write(c);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the screen text (after `from` characters) matches. */
  async waitFor(pattern: RegExp | string, timeoutMs = 45_000, from = 0): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const text = this.text.slice(from);
      if (typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)) return text;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${text.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Text length so far: pass as `from` to wait only for what comes next. */
  get mark(): number {
    return this.text.length;
  }

  kill(): void {
    try {
      this.pty.kill();
    } catch {
      // already gone
    }
  }
}
