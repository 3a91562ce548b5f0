import { describe, expect, it } from 'vitest';
import { detectedIsa, getIsa, setIsa } from '../../src/core/cpu.js';

describe('ISA dispatch', () => {
  it('reports the active ISA, honours FACECORE_ISA and clamps forced ISAs to the CPU', () => {
    const forced = process.env.FACECORE_ISA;
    const saved = getIsa();
    if (forced) expect(saved).toBe(forced);
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
});
