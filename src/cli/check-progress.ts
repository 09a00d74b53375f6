/**
 * Progress of a long `netpolc check` on stderr: one line, rewritten in place, naming the current
 * stage and its elapsed time. Only when stderr is a terminal and neither `--quiet` nor
 * `NETPOLC_NO_PROGRESS` is set; dimmed unless `NO_COLOR` is set (https://no-color.org). The line is
 * erased when the check ends, so the terminal keeps only the report.
 */

export interface Progress {
  stage(label: string): void;
  done(): void;
}

const SILENT: Progress = { stage() {}, done() {} };
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function progress(
  opts: { quiet: boolean },
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Progress {
  if (opts.quiet || !stream.isTTY || env.NETPOLC_NO_PROGRESS) return SILENT;
  const color = !env.NO_COLOR;
  const started = performance.now();
  let label = "";
  let since = started;
  let frame = 0;
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
    done() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}
