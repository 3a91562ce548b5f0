// A face's shard: the first 4 bytes of SHA-256(face id) as a big-endian uint32, mod the shard
// count. Every process (shards, router, store) computes it the same way, from the id alone.
import { createHash } from 'node:crypto';
import { describe } from '../core/validate.js';

export interface ShardSlice {
  /** This slice, 0 .. count-1. */
  index: number;
  /** How many slices the faces are split into (1: every face). */
  count: number;
}

/** The uint32 the shard is taken from (the store keeps it per face so SQL can filter by slice). */
export function shardHash(faceId: string): number {
  return createHash('sha256').update(faceId, 'utf8').digest().readUInt32BE(0);
}

export function shardOf(faceId: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count: expected an integer >= 1, got ${count}`);
  return shardHash(faceId) % count;
}

/** Checks a slice (index in [0, count)); returns it. */
export function assertSlice(name: string, slice: ShardSlice): ShardSlice {
  if (slice === null || typeof slice !== 'object') throw new TypeError(`${name}: expected { index, count }, got ${describe(slice)}`);
  const { index, count } = slice;
  if (!Number.isInteger(count) || count < 1 || count > 65536) throw new RangeError(`${name}.count: expected an integer in [1, 65536], got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`${name}.index: expected an integer in [0, ${count - 1}], got ${index}`);
  return { index, count };
}

/** Parses 'i/n' (as `--shard` takes it). */
export function parseSlice(text: string): ShardSlice {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new RangeError(`shard: expected 'index/count' such as 0/2, got ${JSON.stringify(text)}`);
  return assertSlice('shard', { index: Number(m[1]), count: Number(m[2]) });
}
