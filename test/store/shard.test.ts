// shardOf: SHA-256's first four bytes, big-endian, mod n (values from Python's hashlib).
import { describe, expect, it } from 'vitest';
import { parseSlice, shardHash, shardOf } from '../../src/store/shard.js';

describe('shardOf', () => {
  it('matches hashlib.sha256(id)[:4] as a big-endian uint32', () => {
    expect(shardHash('face-1')).toBe(2275624973);
    expect(shardHash('a')).toBe(3398926610);
    expect(shardHash('ü-ñ')).toBe(3591924683);
    expect([shardOf('face-1', 2), shardOf('face-1', 3), shardOf('face-1', 7)]).toEqual([1, 2, 6]);
    expect([shardOf('ü-ñ', 2), shardOf('ü-ñ', 3), shardOf('ü-ñ', 7)]).toEqual([1, 2, 4]);
    expect(shardOf('anything', 1)).toBe(0);
  });

  it('spreads ids evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[shardOf(`id-${i}`, 4)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('refuses bad counts and slices, naming them', () => {
    expect(() => shardOf('x', 0)).toThrow(RangeError);
    expect(() => shardOf('x', 1.5)).toThrow(/count/);
    expect(parseSlice('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseSlice('3/3')).toThrow(/shard.index: expected an integer in \[0, 2\], got 3/);
    expect(() => parseSlice('0/0')).toThrow(/shard.count/);
    expect(() => parseSlice('a/b')).toThrow(/expected 'index\/count'/);
  });
});
