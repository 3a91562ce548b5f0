import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, templateForSize } from '../../src/align/templates.js';

describe('ARCFACE_TEMPLATE_112 / templateForSize', () => {
  it('is insightface arcface_dst, frozen', () => {
    expect([...ARCFACE_TEMPLATE_112]).toEqual([
      38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
    ]);
    expect(Object.isFrozen(ARCFACE_TEMPLATE_112)).toBe(true);
  });

  it('scales multiples of 112 and scales + shifts multiples of 128 (estimate_norm)', () => {
    expect([...templateForSize(112)]).toEqual([...ARCFACE_TEMPLATE_112]);
    const t224 = templateForSize(224), t128 = templateForSize(128), t256 = templateForSize(256);
    for (let i = 0; i < 10; i++) {
      const v = ARCFACE_TEMPLATE_112[i], isX = i % 2 === 0;
      expect(t224[i]).toBeCloseTo(v * 2, 12);
      expect(t128[i]).toBeCloseTo(isX ? v + 8 : v, 12);
      expect(t256[i]).toBeCloseTo(isX ? v * 2 + 16 : v * 2, 12);
    }
    // 896 is a multiple of both: the 112 rule comes first, as in insightface.
    expect(templateForSize(896)[0]).toBeCloseTo(38.2946 * 8, 10);
    // A fresh copy each call.
    templateForSize(112)[0] = -1;
    expect(templateForSize(112)[0]).toBe(38.2946);
  });

  it('rejects other sizes', () => {
    for (const bad of [0, -112, 100, 112.5, Number.NaN, 129]) expect(() => templateForSize(bad)).toThrow(RangeError);
    expect(() => templateForSize('112' as unknown as number)).toThrow(TypeError);
  });
});
