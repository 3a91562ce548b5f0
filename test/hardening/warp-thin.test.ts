// Found by the fuzz: warpAffine's SIMD path read outside images 1 pixel wide or high (its
// interior test compared against width - 2 = -1 unsigned). Every ISA must match the reference.
import { describe, expect, it } from 'vitest';
import { getIsa, setIsa, warpAffine } from '../../src/index.js';
import { refWarp, similarity } from '../helpers/warp-reference.js';

describe('warpAffine on 1-pixel-thin images', () => {
  it.each([[1, 1], [1, 9], [11, 1], [2, 1], [1, 2]])('%i x %i: every ISA matches the reference', (width, height) => {
    const before = getIsa();
    try {
      for (const isa of ['scalar', 'avx2', 'avx512'] as const) {
        setIsa(isa);
        for (const c of [1, 3, 4] as const) {
          const image = { data: Uint8Array.from({ length: width * height * c }, (_, i) => 10 + ((i * 37) % 200)), width, height, channels: c };
          const matrices = [similarity(2.4, 0.9, 9, 4), similarity(-0.7, 1.7, -3, 12), similarity(0, 1, 0.25, 0.5)];
          const options = { width: 24, height: 20, border: 'constant' as const, borderValue: new Array(c).fill(84), threads: 1 };
          const got: Uint8Array = warpAffine(image, matrices, options);
          const want = refWarp(image, matrices, options);
          const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
          expect(worst, `${getIsa()} c=${c}`).toBeLessThanOrEqual(1);
        }
      }
    } finally {
      setIsa(before);
    }
  });
});
