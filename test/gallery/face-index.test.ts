// FaceIndex in memory: the API contract, input checks (and that a rejected call changes
// nothing), search semantics, and recall of f16/i8 storage against exact float32 search.
import { describe, expect, it } from 'vitest';
import { FaceIndex, type Storage } from '../../src/gallery/face-index.js';
import { topK } from '../../src/core/topk.js';
import { randomRows, rng } from '../helpers/random.js';

const STORAGES: Storage[] = ['f32', 'f16', 'i8'];

/** Embeddings shaped like a recogniser's: per identity a centre, faces = centre + noise, unit length. */
function faceLike(identities: number, perIdentity: number, dim: number, seed: number) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const out = new Float32Array(identities * perIdentity * dim);
  const labels: string[] = [];
  for (let p = 0; p < identities; p++) {
    const centre = Array.from({ length: dim }, gauss);
    for (let f = 0; f < perIdentity; f++) {
      const row = (p * perIdentity + f) * dim;
      let sq = 0;
      for (let k = 0; k < dim; k++) sq += (out[row + k] = centre[k] + 0.8 * gauss()) ** 2;
      for (let k = 0; k < dim; k++) out[row + k] /= Math.sqrt(sq);
      labels.push(`person-${p}`);
    }
  }
  return { vectors: out, labels };
}

async function snapshot(index: FaceIndex) {
  return { size: index.size, entries: [...index.entries()].map((e) => ({ ...e, vector: Array.from(e.vector) })) };
}

describe('FaceIndex API', () => {
  it('adds, gets, removes and lists faces; labels default to the id; meta round-trips', async () => {
    const index = new FaceIndex({ dim: 4, storage: 'f32', metric: 'dot' });
    expect([index.dim, index.size, index.storage, index.metric]).toEqual([4, 0, 'f32', 'dot']);
    await index.add(['a', 'b'], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), { labels: ['ann', 'bob'], meta: [{ cam: 1 }, null] });
    await index.add(['c'], new Float32Array([0, 0, 1, 0]));
    expect(index.size).toBe(3);
    expect(index.has('a') && !index.has('z')).toBe(true);
    expect(index.get('a')).toEqual({ id: 'a', label: 'ann', meta: { cam: 1 }, vector: new Float32Array([1, 2, 3, 4]) });
    expect(index.get('c')?.label).toBe('c');
    expect(index.get('zz')).toBeUndefined();
    expect(await index.remove(['b', 'nope', 'b'])).toBe(1);
    expect([...index.entries()].map((e) => e.id)).toEqual(['a', 'c']);
    await index.add(['d'], new Float32Array([1, 0, 0, 0]));  // reuses b's slot
    expect([...index.entries()].map((e) => e.id)).toEqual(['a', 'd', 'c']);
    await index.compact();
    expect([...index.entries()].map((e) => e.id)).toEqual(['a', 'd', 'c']);
    expect(index.size).toBe(3);
  });

  it('stores cosine vectors normalised; get returns the dequantised stored vector', async () => {
    for (const storage of STORAGES) {
      const index = new FaceIndex({ dim: 2, storage });
      await index.add(['x'], new Float32Array([3, 4]));
      const v = index.get('x')!.vector;
      expect(Math.abs(v[0] - 0.6)).toBeLessThan(storage === 'f32' ? 1e-7 : 5e-3);
      expect(Math.abs(v[1] - 0.8)).toBeLessThan(storage === 'f32' ? 1e-7 : 5e-3);
    }
  });

  it('rejects bad input with TypeError/RangeError naming the argument, and changes nothing', async () => {
    const index = new FaceIndex({ dim: 3, storage: 'i8' });
    await index.add(['a'], new Float32Array([1, 2, 3]), { labels: ['p'] });
    const before = await snapshot(index);
    const bad: [() => Promise<unknown>, ErrorConstructor, RegExp][] = [
      [() => index.add(['b'], new Float32Array(4)), RangeError, /vectors: expected a length that is a multiple of dim \(3\), got 4/],
      [() => index.add(['b', 'c'], new Float32Array(3)), RangeError, /vectors: expected 2 rows/],
      [() => index.add(['b', 'b'], new Float32Array(6)), RangeError, /ids\[1\]: 'b' appears twice/],
      [() => index.add(['a'], new Float32Array(3)), RangeError, /ids\[0\]: 'a' is already in the index/],
      [() => index.add(['b', 'c'], new Float32Array([1, 2, 3, 4, NaN, 6])), RangeError, /vectors: expected finite values, got NaN at index 4/],
      [() => index.add('b' as never, new Float32Array(3)), TypeError, /ids: expected an array of strings, got 'b'/],
      [() => index.add([7] as never, new Float32Array(3)), TypeError, /ids\[0\]: expected a string, got 7/],
      [() => index.add([''], new Float32Array(3)), RangeError, /ids\[0\]: expected a non-empty string/],
      [() => index.add(['b'], [1, 2, 3] as never), TypeError, /vectors: expected a Float32Array, got Array/],
      [() => index.add(['b'], new Float32Array(3), { labels: ['x', 'y'] }), RangeError, /options.labels: expected 1 entries/],
      [() => index.add(['b'], new Float32Array(3), { meta: [5] as never }), TypeError, /options.meta\[0\]: expected an object/],
      [() => index.add(['b'], new Float32Array(3), { meta: [{ n: 1n }] as never }), TypeError, /options.meta\[0\]: expected a JSON-serialisable object/],
      [() => index.remove('a' as never), TypeError, /ids: expected an array of strings/],
      [() => index.search(new Float32Array(2), 1), RangeError, /queries: expected a length that is a multiple of dim/],
      [() => index.search(new Float32Array(3), 0), RangeError, /k: expected an integer in \[1/],
      [() => index.search(new Float32Array(3), 1, { filter: 1 as never }), TypeError, /options.filter: expected a filter object/],
      [() => index.search(new Float32Array(3), 1, { filter: (() => true) as never }), TypeError, /options.filter: expected a filter object .*got a function/],
      [() => index.search(new Float32Array(3), 1, { filter: { label: ['x'] } as never }), RangeError, /options.filter: expected only labels, ids, excludeIds, meta, got 'label'/],
      [() => index.search(new Float32Array(3), 1, { filter: { ids: [1] } as never }), TypeError, /options.filter.ids\[0\]: expected a string/],
      [() => index.search(new Float32Array(3), 1, { minScore: NaN }), RangeError, /options.minScore: expected a number, got NaN/],
      [() => index.search(new Float32Array(3), 1, { minScore: '0' as never }), TypeError, /options.minScore: expected a number/],
      [() => index.search(new Float32Array([NaN, 0, 0]), 1), RangeError, /queries: expected finite values, got NaN at index 0/],
      [() => index.searchLabels(new Float32Array(3), 1, { aggregate: 'sum' as never }), RangeError, /options.aggregate: expected 'max' \| 'mean', got 'sum'/],
    ];
    for (const [call, type, message] of bad) {
      const err = await call().then(() => null, (e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
    }
    expect(await snapshot(index)).toEqual(before);
    expect(() => new FaceIndex({ dim: 0 })).toThrow(RangeError);
    expect(() => new FaceIndex({ dim: 3, storage: 'f64' as never })).toThrow(/options.storage: expected 'f32' \| 'f16' \| 'i8', got 'f64'/);
    expect(() => new FaceIndex({ dim: 3, metric: 'l2' as never })).toThrow(RangeError);
    expect(() => new FaceIndex(undefined as never)).toThrow(TypeError);
    const f16dot = new FaceIndex({ dim: 1, storage: 'f16', metric: 'dot' });
    await expect(f16dot.add(['x'], new Float32Array([70000]))).rejects.toThrow(/expected \|values\| <= 65504 for f16 storage/);
    expect(f16dot.size).toBe(0);
  });

  it('search: best first, ties to the earlier slot, minScore and filter, several queries', async () => {
    const index = new FaceIndex({ dim: 2, metric: 'dot' });
    await index.add(['a', 'b', 'c', 'd'], new Float32Array([1, 0, 2, 0, 1, 0, -1, 0]), {
      labels: ['p', 'q', 'p', 'r'], meta: [{ ok: true }, { ok: true }, { ok: false }, undefined],
    });
    const q = new Float32Array([1, 0, -1, 0]);
    const [first, second] = await index.search(q, 3);
    expect(first).toEqual([{ id: 'b', label: 'q', score: 2 }, { id: 'a', label: 'p', score: 1 }, { id: 'c', label: 'p', score: 1 }]);
    expect(second.map((h) => h.id)).toEqual(['d', 'a', 'c']);
    expect((await index.search(q, 10, { minScore: 1 }))[0].map((h) => h.id)).toEqual(['b', 'a', 'c']);
    expect((await index.search(q, 10, { minScore: 1.5 }))[1]).toEqual([]);
    const filtered = await index.search(q, 10, { filter: { meta: { ok: true } } });
    expect(filtered[0].map((h) => h.id)).toEqual(['b', 'a']);
    const ids = (f: object) => index.search(q.subarray(0, 2), 10, { filter: f }).then((h) => h[0].map((x) => x.id));
    expect(await ids({ labels: ['p', 'r', 'nobody'] })).toEqual(['a', 'c', 'd']);
    expect(await ids({ ids: ['d', 'c', 'zz'] })).toEqual(['c', 'd']);
    expect(await ids({ excludeIds: ['b'], labels: ['p', 'q'] })).toEqual(['a', 'c']);
    expect(await ids({ meta: { ok: false } })).toEqual(['c']);
    expect(await ids({ ids: [] })).toEqual([]);
    expect(await index.searchLabels(q.subarray(0, 2), 5, { filter: { excludeIds: ['b'] } })).toEqual([[{ label: 'p', score: 1 }, { label: 'r', score: -1 }]]);
    expect(await index.searchLabels(q.subarray(0, 2), 5)).toEqual([[{ label: 'q', score: 2 }, { label: 'p', score: 1 }, { label: 'r', score: -1 }]]);
    expect(await index.searchLabels(q.subarray(0, 2), 2, { aggregate: 'mean', minScore: 0 })).toEqual([[{ label: 'q', score: 2 }, { label: 'p', score: 1 }]]);
    expect(await index.search(new Float32Array(0), 3)).toEqual([]);
    expect(await new FaceIndex({ dim: 2 }).search(q, 3)).toEqual([[], []]);
  });

  it('open-set identification: minScore returns nobody rather than a wrong person', async () => {
    const { vectors, labels } = faceLike(20, 4, 64, 3);
    const index = new FaceIndex({ dim: 64, storage: 'i8' });
    await index.add(labels.map((_, i) => `f${i}`), vectors, { labels });
    const stranger = faceLike(1, 1, 64, 99).vectors;
    const known = vectors.slice(5 * 64, 6 * 64);
    const [[hit]] = await index.searchLabels(known, 1, { minScore: 0.5 });
    expect(hit.label).toBe(labels[5]);
    expect(await index.searchLabels(stranger, 1, { minScore: 0.5 })).toEqual([[]]);
  });
});

describe('recall@10 of compact storage against exact float32 search', () => {
  const dim = 512, k = 10, nq = 200;
  // Face-like: 2000 identities, 5 faces each in the gallery, a 6th (held out) as the probe.
  const faces = faceLike(2000, 6, dim, 11).vectors;
  const held = new Float32Array(2000 * 5 * dim), probes = new Float32Array(nq * dim);
  for (let p = 0; p < 2000; p++) {
    held.set(faces.subarray(p * 6 * dim, (p * 6 + 5) * dim), p * 5 * dim);
    if (p < nq) probes.set(faces.subarray((p * 6 + 5) * dim, (p * 6 + 6) * dim), p * dim);
  }
  const cases = [['face-like', held, probes], ['random', randomRows(10000, dim, 12), randomRows(nq, dim, 13)]] as const;
  for (const [name, gallery, queries] of cases) {
    it(`${name}: f16 >= 0.999, i8 >= 0.99`, async () => {
      const n = gallery.length / dim;
      const exact = topK(queries, gallery, dim, k);
      const ids = Array.from({ length: n }, (_, i) => String(i));
      const recall: Record<string, number> = {};
      for (const storage of ['f16', 'i8'] as const) {
        const index = new FaceIndex({ dim, storage });
        await index.add(ids, gallery);
        const got = await index.search(queries, k);
        let hits = 0;
        for (let q = 0; q < nq; q++) {
          const want = new Set(Array.from(exact.indices.subarray(q * k, (q + 1) * k), String));
          hits += got[q].filter((h) => want.has(h.id)).length;
        }
        recall[storage] = hits / (nq * k);
      }
      expect(recall.f16, JSON.stringify(recall)).toBeGreaterThanOrEqual(0.999);
      expect(recall.i8, JSON.stringify(recall)).toBeGreaterThanOrEqual(0.99);
    });
  }
});
