/**
 * The progress line of `netpolc check`: only on a terminal, never with --quiet or
 * NETPOLC_NO_PROGRESS, dimmed unless NO_COLOR, erased at the end; NETPOLC_TIMINGS=1 prints stage
 * times instead.
 */
import { describe, expect, it } from "vitest";
import { progress } from "../../src/cli/check-progress.js";

/** The elapsed time shown, replaced by T. */
const time = (s: string) => s.replace(/\(\d+\.\d s\)/, "(T)");

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream,
  };
}

describe("progress on stderr", () => {
  it.each([
    ["not a terminal", false, { quiet: false }, {}],
    ["--quiet", true, { quiet: true }, {}],
    ["NETPOLC_NO_PROGRESS", true, { quiet: false }, { NETPOLC_NO_PROGRESS: "1" }],
  ])("silent when %s", (_name, tty, opts, env) => {
    const f = fakeStream(tty);
    const p = progress(opts, f.stream, env);
    p.stage("linting");
    p.done();
    expect(f.writes).toEqual([]);
  });

  it("on a terminal: the stage on one rewritten line, dimmed, erased at the end", () => {
    const f = fakeStream(true);
    const p = progress({ quiet: false }, f.stream, {});
    p.stage("proving 3 guarantees");
    p.done();
    p.done();
    expect(time(f.writes[0]!)).toBe("\r\x1b[2K\x1b[2m⠋ netpolc check: proving 3 guarantees (T)\x1b[0m");
    expect(f.writes.at(-1)).toBe("\r\x1b[2K");
    expect(f.writes.filter((w) => w === "\r\x1b[2K")).toHaveLength(1);
  });

  it("NO_COLOR: no colour codes (the line is still rewritten in place)", () => {
    const f = fakeStream(true);
    const p = progress({ quiet: false }, f.stream, { NO_COLOR: "1" });
    p.stage("linting");
    p.done();
    expect(time(f.writes[0]!)).toBe("\r\x1b[2K⠋ netpolc check: linting (T)");
  });

  it("NETPOLC_TIMINGS=1: stage times at the end, also when not a terminal", () => {
    const f = fakeStream(false);
    const p = progress({ quiet: true }, f.stream, { NETPOLC_TIMINGS: "1" });
    p.stage("reading the manifests");
    p.stage("linting");
    p.note("guarantees worker, from its start", 1234);
    p.done();
    expect(
      f.writes
        .join("")
        .split("\n")
        .map((l) => l.replace(/\d+ ms$/, "N ms")),
    ).toEqual([
      "timing: starting: N ms",
      "timing: reading the manifests: N ms",
      "timing: linting: N ms",
      "timing: guarantees worker, from its start: N ms",
      "timing: cpu, all threads: N ms",
      "",
    ]);
  });
});
