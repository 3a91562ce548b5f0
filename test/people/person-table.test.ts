// PersonTable.scores: every person's mean cosine in one kernel call over gathered means,
// checked against a float64 reference, with people absent from the table and a buffer that
// grows and shrinks between calls.
import { describe, expect, it } from 'vitest';
import { PersonTable } from '../../src/people/person-table.js';

function unit(dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const v = new Float32Array(dim);
  for (let c = 0; c < dim; c++) v[c] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Mean cosine in float64: the mean of the face vectors, dotted with v. */
function reference(faces: Float32Array[], v: Float32Array): number {
  let s = 0;
  for (let c = 0; c < v.length; c++) {
    let m = 0;
    for (const f of faces) m += f[c];
    s += (m / faces.length) * v[c];
  }
  return s;
}

describe('PersonTable.scores', () => {
  for (const dim of [1, 7, 128, 513]) {
    it(`matches a float64 reference at dim ${dim}, in order, -Infinity for unknown people`, () => {
      const table = new PersonTable(dim);
      const faces = new Map<string, Float32Array[]>();
      for (let p = 0; p < 70; p++) {
        for (let f = 0; f < 1 + (p % 4); f++) {
          const v = unit(dim, 1000 * p + f + 1);
          table.update(`p${p}`, `f${p}.${f}`, v, 1);
          faces.set(`p${p}`, [...(faces.get(`p${p}`) ?? []), v]);
        }
      }
      // Emptied: no longer a person.
      table.update('p4', 'f4.0', faces.get('p4')![0], -1);
      faces.delete('p4');
      for (const people of [['p5'], ['p9', 'nobody', 'p4', 'p0', 'p69'], Array.from({ length: 70 }, (_, i) => `p${69 - i}`), ['p1', 'p1']]) {
        const v = unit(dim, people.length + 7);
        const got = Array.from(table.scores(v, people));
        expect(got.length).toBe(people.length);
        people.forEach((p, j) => {
          if (!faces.has(p)) expect(got[j], p).toBe(-Infinity);
          else expect(got[j], p).toBeCloseTo(reference(faces.get(p)!, v), 5);
        });
      }
      expect(Array.from(table.scores(unit(dim, 3), []))).toEqual([]);
    });
  }
});
