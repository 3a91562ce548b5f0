// The router's query rows on the wire: base64 of float32 bytes, decoded to the very same floats,
// and every malformed form refused with an error that says what was expected.
import { describe, expect, it } from 'vitest';
import { decodeVectors, encodeVectors } from '../../src/store/router/vectors-wire.js';
import { randomRows } from '../helpers/random.js';

describe('vectors wire', () => {
  it('round-trips float32 rows bit for bit, from a view at an offset too', () => {
    for (const [n, dim] of [[1, 1], [1, 128], [3, 7], [17, 512]] as const) {
      const rows = randomRows(n, dim, n + dim);
      expect(decodeVectors('v', encodeVectors(rows), dim, 100)).toEqual(rows);
      const padded = new Float32Array(rows.length + 5);
      padded.set(rows, 3);
      expect(decodeVectors('v', encodeVectors(padded.subarray(3, 3 + rows.length)), dim, 100)).toEqual(rows);
    }
    const edge = new Float32Array([-0, 3.4028234663852886e38, 1.401298464324817e-45, -1]);
    const back = decodeVectors('v', encodeVectors(edge), 4, 1);
    expect(Object.is(back[0], -0)).toBe(true);
    expect(back).toEqual(edge);
  });

  it('names what is wrong', () => {
    const row = encodeVectors(new Float32Array([1, 2, 3, 4]));
    expect(() => decodeVectors('vectors', 42, 4, 1)).toThrow(new TypeError('vectors: expected base64 of float32 rows, got number'));
    expect(() => decodeVectors('vectors', 'AAA*AAAA', 4, 1)).toThrow(/got characters that are not base64/);
    expect(() => decodeVectors('vectors', 'AAA', 4, 1)).toThrow(RangeError);
    expect(() => decodeVectors('vectors', '', 4, 1)).toThrow('vectors: expected rows of 4 float32 numbers (16 bytes each; this server\'s model), got 0 bytes');
    expect(() => decodeVectors('vectors', row, 3, 1)).toThrow('got 16 bytes');
    expect(() => decodeVectors('vectors', encodeVectors(new Float32Array(8)), 4, 1)).toThrow('vectors: expected at most 1 rows, got 2');
    expect(() => decodeVectors('vectors', encodeVectors(new Float32Array([1, Number.NaN, 0, 0])), 4, 1)).toThrow('vectors: expected finite numbers, got NaN in row 0');
    expect(() => decodeVectors('vectors', encodeVectors(new Float32Array([0, 0, 0, 0, 0, 0, 0, Infinity])), 4, 2)).toThrow('got Infinity in row 1');
  });
});
