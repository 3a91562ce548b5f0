// This machine's limits, measured by native probes, for benchmarks to relate kernels to:
// streaming read bandwidth (what a single query over a big gallery is bound by) and peak
// float32 FMA throughput (what batched search and similarity matrices are bound by).
import { native, type IsaName } from '../native.js';
import { threadCount } from './options.js';
import { assertFloat32Array, assertInteger, assertOptionsObject, describe } from './validate.js';

export interface MachineLimitsOptions {
  /** Threads to measure with (default: the machine's cores). */
  threads?: number;
  /**
   * Data streamed by the bandwidth probe; make it much larger than the caches (a gallery does).
   * Default: a fresh 256 MiB buffer.
   */
  buffer?: Float32Array;
  /** Runs of each probe; the best counts, since a limit is what the machine can reach (default 3). */
  repeats?: number;
  /** Seconds per FMA run (default 0.2). */
  fmaSeconds?: number;
}

export interface MachineLimits {
  threads: number;
  /** The ISA the probes (and kernels) ran with. */
  isa: IsaName;
  /** Streaming read bandwidth, bytes per second. */
  readBandwidth: number;
  /** Peak float32 FMA throughput, FLOP/s (an FMA counts as 2). */
  fmaPeak: number;
}

const DEFAULT_BUFFER_FLOATS = 64 * 1024 * 1024;

function secondsOption(value: unknown): number {
  if (value === undefined) return 0.2;
  if (typeof value !== 'number') throw new TypeError(`options.fmaSeconds: expected a number, got ${describe(value)}`);
  if (!(value > 0 && value <= 10)) throw new RangeError(`options.fmaSeconds: expected a number in (0, 10], got ${value}`);
  return value;
}

/** Measures read bandwidth and FMA peak with `threads` threads (best of `repeats` runs each). */
export function measureMachineLimits(options?: MachineLimitsOptions): MachineLimits {
  const opts = assertOptionsObject('options', options);
  const threads = threadCount(opts.threads);
  const repeats = opts.repeats === undefined ? 3 : assertInteger('options.repeats', opts.repeats, 1, 1000);
  const seconds = secondsOption(opts.fmaSeconds);
  let buffer: Float32Array;
  if (opts.buffer === undefined) {
    // fill() touches every page now, so the probe times reads, not page faults.
    buffer = new Float32Array(DEFAULT_BUFFER_FLOATS).fill(1);
  } else {
    assertFloat32Array('options.buffer', opts.buffer);
    if (opts.buffer.length === 0) throw new RangeError('options.buffer: expected a non-empty Float32Array, got Float32Array(0)');
    buffer = opts.buffer;
  }
  let readBandwidth = 0;
  let fmaPeak = 0;
  for (let r = 0; r < repeats; r++) {
    readBandwidth = Math.max(readBandwidth, native.measureReadBandwidth(buffer, threads));
    fmaPeak = Math.max(fmaPeak, native.measureFmaPeak(threads, seconds));
  }
  return { threads, isa: native.getIsa(), readBandwidth, fmaPeak };
}

/** CUDA devices the addon can use; null when it was built without CUDA (the default build). */
export function cudaDeviceCount(): number | null {
  return native.cudaDeviceCount();
}
