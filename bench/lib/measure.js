// Timing helpers shared by the suites: one tinybench task per measurement, median and min of the
// warm runs, and a linear estimate for peers too slow to run at every size.
import os from 'node:os';
import { Bench } from 'tinybench';

/**
 * Times `fn` (sync or async): one warm-up call, then at least `iterations` calls and at least
 * `timeMs` of calls. Returns milliseconds per call.
 */
export async function measure(fn, { iterations = 5, timeMs = 400, warmup = 1 } = {}) {
  const bench = new Bench({
    iterations, time: timeMs, warmup: warmup > 0, warmupIterations: warmup, warmupTime: 0, throws: true,
  });
  bench.add('task', fn);
  await bench.run();
  const { latency } = bench.tasks[0].result;
  return { ms: latency.p50, minMs: latency.min, runs: latency.samplesCount };
}

/**
 * Measures `run(size)` for each size in ascending order, unless a linear extrapolation from the
 * largest size measured so far predicts a call longer than `maxCallMs`: then the estimate is
 * returned, marked `estimatedFrom` that size. For peers whose cost is linear in the size (a loop
 * over queries), the estimate is what the run would take; for others it is an upper bound.
 * Sizes up to `measureUpTo` are always measured (where a comparison needs a real figure).
 * Calls predicted over `SLOW_CALL_MS` skip the warm-up: the median of three absorbs one cold call.
 */
const SLOW_CALL_MS = 2000;

export class Extrapolator {
  constructor(maxCallMs, { measureUpTo = 0 } = {}) {
    this.maxCallMs = maxCallMs;
    this.measureUpTo = measureUpTo;
    this.last = undefined;
  }

  async at(size, run, options) {
    const predicted = this.last ? (this.last.ms * size) / this.last.size : 0;
    if (size > this.measureUpTo && predicted > this.maxCallMs) {
      const scale = size / this.last.size;
      return { ms: this.last.ms * scale, minMs: this.last.minMs * scale, runs: 0, estimatedFrom: this.last.size };
    }
    const slow = predicted > SLOW_CALL_MS ? { iterations: 3, timeMs: 0, warmup: 0 } : {};
    const result = await measure(() => run(size), { ...options, ...slow });
    this.last = { size, ms: result.ms, minMs: result.minMs };
    return result;
  }
}

/** Frees what a peer held before the next one allocates (the runner starts node with --expose-gc). */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

/** The facts a reader needs to compare figures across machines. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version, platform: `${process.platform}-${process.arch}`,
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)), date: new Date().toISOString(),
  };
}

/**
 * Parses `--flag` and `--key=value` arguments. The runner passes the same flags to every suite,
 * so one a suite does not know is reported, not fatal.
 */
export function parseFlags(argv, known) {
  const flags = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !known.includes(m[1])) {
      console.warn(`ignoring argument '${arg}' (this suite knows ${known.map((k) => `--${k}`).join(', ')})`);
      continue;
    }
    flags[m[1]] = m[2] ?? true;
  }
  return flags;
}
