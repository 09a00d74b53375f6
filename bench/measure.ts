/**
 * Timing and memory of one benchmark phase. Phases are synchronous, so memory cannot be sampled
 * while they run: the peak is the process's maximum resident set size (`resourceUsage().maxRSS`),
 * which is why every scenario runs in its own child process. Heap figures are taken at the end
 * of the phase, before a collection (live + garbage made by the phase) and after it (retained);
 * typed arrays live outside the heap and are reported apart (`externalMB`).
 */
const MB = 1024 * 1024;

export interface PhaseSample {
  /** Wall-clock time. */
  readonly ms: number;
  /** CPU time of the process (user + system, all threads, so GC helpers count too). */
  readonly cpuMs: number;
  /** Heap used when the phase ended, garbage included. */
  readonly heapMB: number;
  /** Heap still live after a full collection. */
  readonly retainedMB: number;
  /** Memory outside the V8 heap after that collection: ArrayBuffers (the engine's typed arrays). */
  readonly externalMB: number;
  readonly rssMB: number;
  /** Peak RSS of the process so far (monotonic). */
  readonly rssPeakMB: number;
  /** How many runs of the phase the figures were chosen from (the fastest is kept). */
  readonly runs?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function hasGc(): boolean {
  return gc !== undefined;
}

export function phase<T>(fn: () => T): { value: T; sample: PhaseSample } {
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const heapMB = process.memoryUsage().heapUsed / MB;
  gc?.();
  const m = process.memoryUsage();
  return {
    value,
    sample: {
      ms,
      cpuMs,
      heapMB,
      retainedMB: m.heapUsed / MB,
      externalMB: m.external / MB,
      rssMB: m.rss / MB,
      rssPeakMB: process.resourceUsage().maxRSS / 1024,
    },
  };
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatMB(mb: number | undefined): string {
  if (mb === undefined) return "-";
  if (mb < 10) return `${mb.toFixed(1)} MB`;
  return mb < 1024 ? `${Math.round(mb)} MB` : `${(mb / 1024).toFixed(2)} GB`;
}

export function formatCount(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
