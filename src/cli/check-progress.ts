/**
 * Progress of a long `netpolc check` on stderr: one line, rewritten in place, naming the current
 * stage and its elapsed time. Only when stderr is a terminal and neither `--quiet` nor
 * `NETPOLC_NO_PROGRESS` is set; dimmed unless `NO_COLOR` is set (https://no-color.org). The line is
 * erased when the check ends, so the terminal keeps only the report.
 * `NETPOLC_TIMINGS=1` prints each stage's wall time on stderr at the end instead (benchmarks).
 */

export interface Progress {
  stage(label: string): void;
  /** A time measured elsewhere (the guarantees worker), for the timings only. */
  note(label: string, ms: number): void;
  done(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function progress(
  opts: { quiet: boolean },
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Progress {
  const timings: [string, number][] = [];
  const notes: [string, number][] = [];
  let label = "starting";
  let since = performance.now();
  const record = () => timings.push([label, performance.now() - since]);
  if (env.NETPOLC_TIMINGS === "1")
    return {
      stage(l) {
        record();
        label = l;
        since = performance.now();
      },
      note(l, ms) {
        notes.push([l, ms]);
      },
      done() {
        if (label === "") return;
        record();
        label = "";
        const cpu = process.cpuUsage();
        notes.push(["cpu, all threads", (cpu.user + cpu.system) / 1000]);
        const lines = [...timings, ...notes].map(([l, ms]) => `timing: ${l}: ${ms.toFixed(0)} ms`);
        stream.write(`${lines.join("\n")}\n`);
      },
    };
  if (opts.quiet || !stream.isTTY || env.NETPOLC_NO_PROGRESS) return { stage() {}, note() {}, done() {} };
  const color = !env.NO_COLOR;
  let frame = 0;
  let active = true;
  const draw = () => {
    const s = ((performance.now() - since) / 1000).toFixed(1);
    const text = `${FRAMES[frame++ % FRAMES.length]} netpolc check: ${label} (${s} s)`;
    stream.write(`\r\x1b[2K${color ? `\x1b[2m${text}\x1b[0m` : text}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    stage(l: string) {
      label = l;
      since = performance.now();
      draw();
    },
    note() {},
    done() {
      if (!active) return;
      active = false;
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}
