import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { cudaDeviceCount, measureMachineLimits } from '../../src/core/machine.js';
import { native } from '../../src/native.js';
import { underEachIsa } from '../helpers/isa.js';

// 16 MiB: larger than L2, small enough to keep the test fast.
const buffer = new Float32Array(4 * 1024 * 1024).fill(1);

const cores = os.availableParallelism();

/** Seconds a call takes, by the wall clock. */
function wallSeconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// FLOP per cycle one core can retire on the probe's loop: two FMA pipes x lanes x 2 FLOP
// (scalar: the baseline build vectorises to 4-lane SSE at best). No core clocks above 6 GHz.
const FLOP_PER_CYCLE: Record<string, number> = { scalar: 16, avx2: 32, avx512: 64 };
const MAX_HZ = 6e9;

describe('measureMachineLimits', () => {
  it('reports read bandwidth as the bytes it streamed over the time it took (1 and 2 threads, every ISA)', () => {
    // bandwidth x the call's wall time = bytes read x (wall / timed part): at least the buffer's
    // bytes (the timed part is inside the call), and not much more in the best of a few runs.
    // Wrong units (floats, bits, ns), a factor of threads or a loop the compiler dropped all land outside.
    underEachIsa(() => {
      for (const threads of [1, 2]) {
        let best = Infinity;
        for (let r = 0; r < 5; r++) {
          let bandwidth = 0;
          const wall = wallSeconds(() => { bandwidth = native.measureReadBandwidth(buffer, threads); });
          const implied = (bandwidth * wall) / buffer.byteLength;
          expect(implied).toBeGreaterThanOrEqual(0.999);
          best = Math.min(best, implied);
        }
        expect(best).toBeLessThan(1.5);
      }
    });
  });

  it('reports FMA throughput no core count and ISA could reach beyond, and SIMD above scalar', () => {
    // Many more threads than cores: a total multiplied by the thread count once too often
    // would pass the machine's ceiling (cores x FLOP/cycle x 6 GHz) by far.
    const oversubscribed = Math.min(1024, 8 * cores);
    const single: Record<string, number> = {};
    underEachIsa((isa) => {
      const perCore = FLOP_PER_CYCLE[isa] * MAX_HZ;
      const one = measureMachineLimits({ threads: 1, buffer, repeats: 2, fmaSeconds: 0.02 });
      const many = measureMachineLimits({ threads: oversubscribed, buffer, repeats: 1, fmaSeconds: 0.01 });
      expect(one.isa).toBe(isa);
      expect(one.threads).toBe(1);
      expect(one.fmaPeak).toBeGreaterThan(0);
      expect(one.fmaPeak).toBeLessThan(perCore);
      expect(many.fmaPeak).toBeLessThan(cores * perCore);
      single[isa] = one.fmaPeak;
    });
    // 8 (AVX2) FMA lanes against the scalar build's loop: a probe that ignores the ISA shows ~1.
    if (single.avx2 !== undefined) expect(single.avx2 / single.scalar).toBeGreaterThan(2);
  });

  it('defaults to every core and a 256 MiB buffer', () => {
    const limits = measureMachineLimits({ repeats: 1, fmaSeconds: 0.02 });
    expect(limits.threads).toBe(native.defaultThreads());
    expect(limits.readBandwidth).toBeGreaterThan(0);
    expect(limits.fmaPeak).toBeGreaterThan(0);
  });

  it('cudaDeviceCount is null without the CUDA build, else a device count', () => {
    const n = cudaDeviceCount();
    if (n !== null) expect(Number.isInteger(n) && n >= 0).toBe(true);
    else expect(n).toBeNull();
  });

  it('rejects bad arguments with errors that name them', () => {
    expect(() => measureMachineLimits({ threads: 0 })).toThrow(RangeError);
    expect(() => measureMachineLimits({ threads: 0 })).toThrow(/options\.threads: expected an integer in \[1, 1024\], got 0/);
    expect(() => measureMachineLimits({ threads: 1.5 })).toThrow(RangeError);
    expect(() => measureMachineLimits({ threads: '2' as unknown as number })).toThrow(TypeError);
    expect(() => measureMachineLimits({ buffer: new Float64Array(8) as unknown as Float32Array })).toThrow(
      /options\.buffer: expected a Float32Array, got Float64Array\(8\)/,
    );
    expect(() => measureMachineLimits({ buffer: [1, 2] as unknown as Float32Array })).toThrow(TypeError);
    expect(() => measureMachineLimits({ buffer: new Float32Array(0) })).toThrow(RangeError);
    expect(() => measureMachineLimits({ buffer, repeats: 0 })).toThrow(/options\.repeats: expected an integer in \[1, 1000\], got 0/);
    expect(() => measureMachineLimits({ buffer, fmaSeconds: 0 })).toThrow(RangeError);
    expect(() => measureMachineLimits({ buffer, fmaSeconds: 11 })).toThrow(/options\.fmaSeconds: expected a number in \(0, 10\], got 11/);
    expect(() => measureMachineLimits({ buffer, fmaSeconds: Number.NaN })).toThrow(RangeError);
    expect(() => measureMachineLimits({ buffer, fmaSeconds: '1' as unknown as number })).toThrow(TypeError);
    expect(() => measureMachineLimits(null as unknown as object)).toThrow(TypeError);
  });

  it('native probes check their own arguments', () => {
    const probe = native as unknown as Record<string, (...args: unknown[]) => number>;
    expect(() => probe.measureReadBandwidth(new Float64Array(4), 1)).toThrow(TypeError);
    expect(() => probe.measureReadBandwidth(buffer, 0)).toThrow(RangeError);
    expect(() => probe.measureReadBandwidth(buffer)).toThrow();
    expect(() => probe.measureFmaPeak(1, 0)).toThrow(RangeError);
    expect(() => probe.measureFmaPeak(1, 20)).toThrow(RangeError);
    expect(() => probe.measureFmaPeak(0, 0.01)).toThrow(RangeError);
    expect(() => probe.measureFmaPeak('1', 0.01)).toThrow(TypeError);
  });
});
