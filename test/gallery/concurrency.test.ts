// 10^4 mixed operations without waiting for each other: adds, removes, compactions and async
// searches interleave. Each search must return exactly the top-k of the faces present when it
// was called (integer vectors: scores are exact), and the final index must equal the model.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaceIndex, type Storage } from '../../src/gallery/face-index.js';
import { integerRows, rng } from '../helpers/random.js';
import { tempDir } from './tmpdir.js';

const dim = 6, k = 5, OPS = 10_000;

async function mixedOps(index: FaceIndex, seed: number): Promise<Map<string, Float32Array>> {
  const random = rng(seed);
  const model = new Map<string, Float32Array>();
  // Ids are never reused, so membership at op t is: added before t and not removed before t.
  const vectorOf = new Map<string, Float32Array>(), addedAt = new Map<string, number>(), removedAt = new Map<string, number>();
  const presentAt = (id: string, t: number) => (addedAt.get(id) ?? Infinity) < t && (removedAt.get(id) ?? Infinity) > t;
  const pending: Promise<unknown>[] = [];
  const problems: string[] = [];
  let nextId = 0, searches = 0;
  for (let op = 0; op < OPS; op++) {
    const r = random();
    if (r < 0.45) {
      const n = 1 + Math.floor(random() * 3);
      const ids = Array.from({ length: n }, () => `f${nextId++}`);
      const vectors = integerRows(n, dim, op);
      ids.forEach((id, j) => {
        const v = vectors.slice(j * dim, (j + 1) * dim);
        model.set(id, v);
        vectorOf.set(id, v);
        addedAt.set(id, op);
      });
      pending.push(index.add(ids, vectors));
    } else if (r < 0.7) {
      const ids = [`f${Math.floor(random() * nextId)}`, `f${Math.floor(random() * nextId)}`, 'never-added'];
      const want = new Set(ids.filter((id) => model.has(id))).size;
      for (const id of ids) if (model.delete(id)) removedAt.set(id, op);
      pending.push(index.remove(ids).then((removed) => {
        if (removed !== want) problems.push(`op ${op}: removed ${removed}, expected ${want}`);
      }));
    } else if (r < 0.998) {
      searches++;
      const q = integerRows(1, dim, 100_000 + op);
      const score = (v: Float32Array) => v.reduce((acc, x, c) => acc + x * q[c], 0);
      // The k best scores as of now (the index's order among equal scores is its own).
      const best: number[] = [];
      for (const v of model.values()) {
        const s = score(v);
        if (best.length < k || s > best[best.length - 1]) {
          best.push(s);
          best.sort((x, y) => y - x);
          if (best.length > k) best.pop();
        }
      }
      const t = op;
      pending.push(index.search(q, k).then(([hits]) => {
        if (hits.map((h) => h.score).join() !== best.join()) problems.push(`op ${t}: scores ${hits.map((h) => h.score)}, expected ${best}`);
        for (const h of hits) {
          if (!presentAt(h.id, t) || score(vectorOf.get(h.id)!) !== h.score) problems.push(`op ${t}: ${h.id} was not there with ${h.score}`);
        }
      }));
    } else {
      pending.push(index.compact());
    }
    // Let some searches finish while later operations are still being issued.
    if (op % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  expect(problems.slice(0, 5)).toEqual([]);
  expect(searches).toBeGreaterThan(2000);
  return model;
}

function expectContents(index: FaceIndex, model: Map<string, Float32Array>): void {
  expect(index.size).toBe(model.size);
  for (const e of index.entries()) expect(Array.from(e.vector), e.id).toEqual(Array.from(model.get(e.id)!));
}

describe('concurrent operations', () => {
  for (const storage of ['f32', 'f16'] as Storage[]) {
    it(`${storage} in memory: ${OPS} mixed operations, searches consistent with the order of calls`, async () => {
      const index = new FaceIndex({ dim, storage, metric: 'dot' });
      const model = await mixedOps(index, 7);
      expectContents(index, model);
    });
  }

  it(`durable: ${OPS} mixed operations with group commit, then the reopened index equals the model`, async () => {
    const file = path.join(tempDir(), 'busy.fidx');
    const index = await FaceIndex.open(file, { dim, storage: 'f32', metric: 'dot' });
    const model = await mixedOps(index, 8);
    expectContents(index, model);
    await index.close();
    const again = await FaceIndex.open(file);
    expectContents(again, model);
    await again.close();
  });
});
