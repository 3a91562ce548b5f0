import { describe, expect, it } from 'vitest';
import { detectedIsa, getIsa, kernelIsas, setIsa } from '../../src/core/cpu.js';

describe('ISA dispatch', () => {
  it('reports the active ISA, honours FACECORE_ISA and clamps forced ISAs to the CPU', () => {
    const order = ['scalar', 'avx2', 'avx512'];
    const forced = process.env.FACECORE_ISA;
    const saved = getIsa();
    // A forced ISA above what this CPU has is clamped to the CPU (avx512 on an AVX2-only machine runs avx2).
    const clamp = (isa: string) => order[Math.min(order.indexOf(isa), order.indexOf(detectedIsa()))];
    if (forced) expect(saved).toBe(clamp(forced));
    else expect(saved).toBe(detectedIsa());
    try {
      expect(setIsa('scalar')).toBe('scalar');
      expect(getIsa()).toBe('scalar');
      const top = setIsa('avx512');
      expect(top).toBe(detectedIsa());
    } finally {
      setIsa(saved);
    }
    expect(() => setIsa('sse9' as 'avx2')).toThrow(/isa: expected 'scalar' \| 'avx2' \| 'avx512', got 'sse9'/);
  });

  it('per kernel family: general follows getIsa, none goes above it, scalar forces all', () => {
    const saved = getIsa();
    const order = ['scalar', 'avx2', 'avx512'];
    try {
      for (const isa of ['scalar', 'avx2', 'avx512'] as const) {
        const set = setIsa(isa);
        const k = kernelIsas();
        expect(k.general).toBe(set);
        for (const v of [k.i8Dot, k.crc32c]) expect(order.indexOf(v)).toBeLessThanOrEqual(order.indexOf(set));
        if (set === 'scalar') expect(k).toEqual({ general: 'scalar', i8Dot: 'scalar', crc32c: 'scalar' });
      }
    } finally {
      setIsa(saved);
    }
  });
});
