// StringIndex (ids -> slots, names -> labels) against a Map under random adds and deletes.
import { describe, expect, it } from 'vitest';
import { StringIndex } from '../../src/gallery/string-index.js';

describe('StringIndex', () => {
  it('agrees with a Map through 20k random adds, deletes and lookups (tombstones, rehashes)', () => {
    const keys: string[] = [];
    const index = new StringIndex(keys);
    const ref = new Map<string, number>();
    let seed = 5;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let op = 0; op < 20_000; op++) {
      const key = `k${rand(3000)}${op % 7 === 0 ? 'é' : ''}`;
      const kind = rand(3);
      if (kind === 0) {
        const v = keys.length;
        keys.push(key);
        expect(index.add(key, v)).toBe(!ref.has(key));
        if (!ref.has(key)) ref.set(key, v);
      } else if (kind === 1) {
        expect(index.delete(key)).toBe(ref.get(key));
        ref.delete(key);
      } else {
        expect(index.get(key)).toBe(ref.get(key));
      }
      expect(index.size).toBe(ref.size);
    }
    expect([...index.values()].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
  });

  it('rejects a duplicate without changing anything, and finds the empty string', () => {
    const keys = ['a', 'b', 'a', ''];
    const index = new StringIndex(keys, 4);
    expect([index.add('a', 0), index.add('b', 1), index.add('a', 2), index.add('', 3)]).toEqual([true, true, false, true]);
    expect([index.get('a'), index.get(''), index.size]).toEqual([0, 3, 3]);
  });
});
