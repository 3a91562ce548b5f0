import { describe, expect, it } from 'vitest';
import { sampleClasses } from '../../src/train/partial-fc.js';

describe('sampleClasses', () => {
  const labels = new Int32Array([5, 17, 5, -1, 999, 0, 42]);

  it('keeps every positive, samples up to rate * C, returns ascending ids and remapped labels', () => {
    for (const rate of [0.001, 0.05, 0.3, 0.7, 0.999]) {
      const { activeClasses, labels: y } = sampleClasses(labels, 1000, rate, 3);
      expect(activeClasses.length).toBe(Math.max(5, Math.round(rate * 1000)));
      for (let a = 1; a < activeClasses.length; a++) expect(activeClasses[a]).toBeGreaterThan(activeClasses[a - 1]);
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] < 0) expect(y[i]).toBe(-1);
        else expect(activeClasses[y[i]]).toBe(labels[i]);
      }
    }
  });

  it('rate 1 keeps every class with identity labels', () => {
    const { activeClasses, labels: y } = sampleClasses(labels, 1000, 1, 1);
    expect(activeClasses).toEqual(Int32Array.from({ length: 1000 }, (_, c) => c));
    expect(y).toEqual(labels);
  });

  it('is reproducible from its seed, and different seeds sample differently', () => {
    const a = sampleClasses(labels, 100_000, 0.1, 12345);
    const b = sampleClasses(labels, 100_000, 0.1, 12345);
    const c = sampleClasses(labels, 100_000, 0.1, 12346);
    expect(a).toEqual(b);
    expect(a.activeClasses).not.toEqual(c.activeClasses);
  });

  it('samples negatives roughly uniformly', () => {
    const C = 200, hits = new Float64Array(C);
    for (let seed = 0; seed < 400; seed++) {
      for (const c of sampleClasses(new Int32Array([0]), C, 0.25, seed).activeClasses) hits[c]++;
    }
    // Each negative is kept with probability 49 / 199; 400 draws: mean ~98.5, sd ~8.6.
    for (let c = 1; c < C; c++) expect(Math.abs(hits[c] - 400 * 49 / 199)).toBeLessThan(45);
    expect(hits[0]).toBe(400);
  });

  it('rejects bad input', () => {
    expect(() => sampleClasses([1] as unknown as Int32Array, 10, 0.5, 1)).toThrow(/labels: expected an Int32Array/);
    expect(() => sampleClasses(labels, 100, 0.5, 1)).toThrow(/labels: expected values in \[-1, 100\), got 999 at index 4/);
    expect(() => sampleClasses(labels, 1000, 0, 1)).toThrow(/rate: expected a number in \(0, 1\], got 0/);
    expect(() => sampleClasses(labels, 1000, 1.5, 1)).toThrow(RangeError);
    expect(() => sampleClasses(labels, 1000, 0.5, -1)).toThrow(/seed: expected an integer/);
    expect(() => sampleClasses(labels, 0, 0.5, 1)).toThrow(/numClasses/);
  });
});
