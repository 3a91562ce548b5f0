import { describe, expect, it } from 'vitest';
import { measureMachineLimits } from '../../src/core/machine.js';
import { native } from '../../src/native.js';
import { underEachIsa } from '../helpers/isa.js';

// 16 MiB: larger than L2, small enough to keep the test fast.
const buffer = new Float32Array(4 * 1024 * 1024).fill(1);

describe('measureMachineLimits', () => {
  it('returns plausible positive limits under every ISA and with 1 and 2 threads', () => {
    underEachIsa((isa) => {
      for (const threads of [1, 2]) {
        const limits = measureMachineLimits({ threads, buffer, repeats: 2, fmaSeconds: 0.02 });
        expect(limits.threads).toBe(threads);
        expect(limits.isa).toBe(isa);
        // Between 100 MB/s (a starved VM) and 10 TB/s (beyond any CPU today).
        expect(limits.readBandwidth).toBeGreaterThan(1e8);
        expect(limits.readBandwidth).toBeLessThan(1e13);
        // Between 100 MFLOP/s (scalar code on a busy core) and 100 TFLOP/s.
        expect(limits.fmaPeak).toBeGreaterThan(1e8);
        expect(limits.fmaPeak).toBeLessThan(1e14);
      }
    });
  });

  it('defaults to every core and a 256 MiB buffer', () => {
    const limits = measureMachineLimits({ repeats: 1, fmaSeconds: 0.02 });
    expect(limits.threads).toBe(native.defaultThreads());
    expect(limits.readBandwidth).toBeGreaterThan(1e8);
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
