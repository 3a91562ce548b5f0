import { describe, expect, it } from 'vitest';
import { clusterEmbeddings } from '../../src/cluster/agglomerative.js';
import { aggregateTemplate } from '../../src/cluster/template.js';
import { faces } from './planted.js';

describe('clusterEmbeddings', () => {
  it('recovers identities exactly for every linkage, numbering clusters by first appearance', () => {
    const { x, truth } = faces(6, 5, 64, 0.5, 1);
    for (const linkage of ['average', 'single', 'complete'] as const) {
      const { labels, count } = clusterEmbeddings(x, 64, { threshold: 0.4, linkage });
      expect(count).toBe(6);
      expect(Array.from(labels)).toEqual(truth);
    }
  });

  it('threshold 1 keeps every face alone; threshold -1 merges everything', () => {
    const { x } = faces(3, 3, 16, 0.5, 2);
    expect(clusterEmbeddings(x, 16, { threshold: 1 }).count).toBe(9);
    expect(clusterEmbeddings(x, 16, { threshold: -1 }).count).toBe(1);
  });

  it('single linkage chains where complete linkage does not', () => {
    // Three points on an arc 40 degrees apart: neighbours cos 0.77, ends cos 0.17.
    const x = new Float32Array([0, 40, 80].flatMap((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]));
    expect(clusterEmbeddings(x, 2, { threshold: 0.7, linkage: 'single' }).count).toBe(1);
    expect(clusterEmbeddings(x, 2, { threshold: 0.7, linkage: 'complete' }).count).toBe(2);
  });

  it('handles empty input and rejects bad options', () => {
    expect(clusterEmbeddings(new Float32Array(0), 4, { threshold: 0.5 }).count).toBe(0);
    const x = new Float32Array(8);
    expect(() => clusterEmbeddings(x, 4, { threshold: 2 })).toThrow(/options.threshold: expected a cosine similarity in \[-1, 1\], got 2/);
    expect(() => clusterEmbeddings(x, 4, {} as { threshold: number })).toThrow(TypeError);
    expect(() => clusterEmbeddings(x, 3, { threshold: 0.5 })).toThrow(/embeddings: expected a length that is a multiple of dim/);
    expect(() => clusterEmbeddings(x, 4, { threshold: 0.5, linkage: 'ward' as 'single' })).toThrow(RangeError);
  });
});

describe('aggregateTemplate', () => {
  it('is the normalised mean of normalised rows, weighted when asked', () => {
    const t = aggregateTemplate(new Float32Array([2, 0, 0, 3]), 2);
    expect(t[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(t[1]).toBeCloseTo(Math.SQRT1_2, 6);
    const w = aggregateTemplate(new Float32Array([1, 0, 0, 1]), 2, [3, 1]);
    expect(w[0] / w[1]).toBeCloseTo(3, 5);
  });

  it('a template of a noisy identity is closer to its centre than any single member', () => {
    const dim = 32;
    const { x, centres } = faces(1, 20, dim, 1.5, 3);
    const cosToCentre = (v: Float32Array) => {
      let d = 0, nv = 0, nc = 0;
      for (let c = 0; c < dim; c++) (d += v[c] * centres[0][c]), (nv += v[c] ** 2), (nc += centres[0][c] ** 2);
      return d / Math.sqrt(nv * nc);
    };
    const t = aggregateTemplate(x, dim);
    const members = Array.from({ length: 20 }, (_, i) => cosToCentre(x.subarray(i * dim, (i + 1) * dim)));
    expect(cosToCentre(t)).toBeGreaterThan(Math.max(...members));
  });

  it('rejects bad input', () => {
    expect(() => aggregateTemplate(new Float32Array(0), 4)).toThrow(/at least one row/);
    expect(() => aggregateTemplate(new Float32Array(4), 2, [1])).toThrow(/weights: expected 2 weights/);
    expect(() => aggregateTemplate(new Float32Array([NaN, 1]), 2)).toThrow(/finite/);
  });
});
