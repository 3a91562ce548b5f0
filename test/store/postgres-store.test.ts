// PostgresStore against a real PostgreSQL (a fresh database per test): faces and subjects
// round-trip, idempotent writes, numbering in commit order, the change feed replayed equals the
// current state (whole and per shard slice), removals and renames reach it, NOTIFY, bad input.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectionStem } from '../../src/store/collection-stem.js';
import { PostgresStore, type Change } from '../../src/store/postgres-store.js';
import { shardOf } from '../../src/store/shard.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';

const DIM = 8;
const KEY = 'store-key-0123456789';
const OTHER = 'other-key-0123456789';
const vec = (seed: number) => Float32Array.from({ length: DIM }, (_, i) => Math.sin(seed * 7.1 + i * 3.3) + 0.05);
const face = (id: string, subject: string, seed: number, meta?: object) => ({ id, subject, vector: vec(seed), ...(meta ? { meta } : {}) });

/** The faces a replica ends with after applying `changes` in order: collection/id -> subject. */
function replay(changes: Change[], into = new Map<string, string>()): Map<string, string> {
  for (const c of changes) {
    if (c.kind === 'add') into.set(`${c.collection}/${c.id}`, c.subject);
    else into.delete(`${c.collection}/${c.id}`);
  }
  return into;
}

async function allChanges(store: PostgresStore, from = 0, options: { shard?: { index: number; count: number }; limit?: number } = {}) {
  const out: Change[] = [];
  let at = from;
  for (;;) {
    const batch = await store.changesSince(at, options);
    if (batch.changes.length === 0) return { changes: out, last: batch.last };
    out.push(...batch.changes);
    at = batch.last;
  }
}

async function currentFaces(store: PostgresStore, key: string): Promise<Map<string, string>> {
  const { faces } = await store.listFaces(key);
  return new Map(faces.map((f) => [f.id, f.subject]));
}

describe.skipIf(!hasPostgres)('PostgresStore', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  beforeEach(async () => {
    db = await createTestDatabase();
    store = await PostgresStore.connect(db.url, { dim: DIM, modelKey: 'test-model' });
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it('stores faces with their subjects, vectors bit for bit, meta, in sequence order', async () => {
    const r = await store.addFaces(KEY, [face('a1', 'ann', 1, { added: 5 }), face('b1', 'bob', 2), face('a2', 'ann', 3)]);
    expect(r).toEqual({ seq: 3, added: 3 });
    expect(await store.head()).toBe(3);
    const a2 = (await store.getFace(KEY, 'a2'))!;
    expect(a2.subject).toBe('ann');
    expect(Array.from(a2.vector)).toEqual(Array.from(vec(3)));
    expect(a2.seq).toBe(3);
    expect((await store.getFace(KEY, 'a1'))!.meta).toEqual({ added: 5 });
    expect(await store.getFace(KEY, 'zz')).toBeUndefined();
    expect(await store.getFace(OTHER, 'a1')).toBeUndefined();
    expect(await store.subjects(KEY)).toEqual(['ann', 'bob']);
    expect(await store.subjects(OTHER)).toEqual([]);
    expect(await store.listFaces(KEY, { offset: 1, limit: 1 })).toEqual({ faces: [{ id: 'b1', subject: 'bob' }], total: 3 });
    expect(await store.listFaces(KEY, { subject: 'ann' })).toEqual({ faces: [{ id: 'a1', subject: 'ann' }, { id: 'a2', subject: 'ann' }], total: 2 });
  });

  it('adds nothing twice for one dedupKey, even when the calls race', async () => {
    const first = await store.addFaces(KEY, [face('p1', 'ann', 1)], { dedupKey: 'job-1' });
    const again = await store.addFaces(KEY, [face('p1-retry', 'ann', 1)], { dedupKey: 'job-1' });
    expect(first).toEqual({ seq: 1, added: 1 });
    expect(again).toEqual({ seq: 1, added: 0 });
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => store.addFaces(KEY, [face(`q${i}`, 'bob', 10 + i)], { dedupKey: 'job-2' })));
    expect(racing.map((r) => r.added).sort()).toEqual([0, 0, 0, 0, 0, 1]);
    expect((await store.listFaces(KEY)).total).toBe(2);
    // Another collection has its own keys.
    expect((await store.addFaces(OTHER, [face('p1', 'ann', 1)], { dedupKey: 'job-1' })).added).toBe(1);
  });

  it('rejects an id already present, changing nothing', async () => {
    await store.addFaces(KEY, [face('a1', 'ann', 1)]);
    await expect(store.addFaces(KEY, [face('n1', 'new', 2), face('a1', 'new', 3)])).rejects.toThrow(/faces: id "a1" is already in the collection/);
    expect(await store.head()).toBe(1);
    expect(await store.subjects(KEY)).toEqual(['ann']);
    expect(await store.getFace(KEY, 'n1')).toBeUndefined();
  });

  it('refuses bad input before touching the database, naming the argument', async () => {
    await expect(store.addFaces(KEY, [{ id: 'x', subject: 's', vector: new Float32Array(DIM - 1) }])).rejects.toThrow(/faces\[0\].vector: expected 8 values \(the store's dim\), got 7/);
    await expect(store.addFaces(KEY, [{ id: 'x', subject: 's', vector: [1, 2] as unknown as Float32Array }])).rejects.toThrow(TypeError);
    await expect(store.addFaces(KEY, [{ id: 'x', subject: 's', vector: new Float32Array(DIM) }])).rejects.toThrow(/not all zero/);
    await expect(store.addFaces(KEY, [{ id: 'x', subject: 's', vector: vec(1).fill(NaN, 2, 3) }])).rejects.toThrow(/finite/);
    await expect(store.addFaces(KEY, [face('', 's', 1)])).rejects.toThrow(/faces\[0\].id: expected a non-empty string/);
    await expect(store.addFaces(KEY, [face('a\0b', 's', 1)])).rejects.toThrow(/faces\[0\].id: expected a string without NUL/);
    await expect(store.addFaces(KEY, [face('x', 's', 1), face('x', 's', 2)])).rejects.toThrow(/faces\[1\].id: 'x' appears twice/);
    await expect(store.addFaces(KEY, [{ ...face('x', 's', 1), meta: [1] as unknown as object }])).rejects.toThrow(/faces\[0\].meta: expected an object/);
    await expect(store.addFaces(KEY, 'faces' as never)).rejects.toThrow(TypeError);
    await expect(store.changesSince(-1)).rejects.toThrow(RangeError);
    await expect(store.changesSince(0, { shard: { index: 2, count: 2 } })).rejects.toThrow(/options.shard.index/);
    await expect(PostgresStore.connect('mysql://x', { dim: DIM, modelKey: 'm' })).rejects.toThrow(/url: expected a postgres/);
    await expect(PostgresStore.connect(db.url, { dim: 0, modelKey: 'm' })).rejects.toThrow(/options.dim/);
    expect(await store.head()).toBe(0);
  });

  it('removes faces and subjects, renames with merging; the feed replayed equals the store', async () => {
    await store.addFaces(KEY, [face('a1', 'ann', 1), face('a2', 'ann', 2), face('b1', 'bob', 3), face('c1', 'cat', 4), face('c2', 'cat', 5)]);
    await store.addFaces(OTHER, [face('a1', 'ann', 1)]);
    expect(await store.addSubject(KEY, 'dan')).toBe(true);
    expect(await store.addSubject(KEY, 'dan')).toBe(false);
    expect(await store.removeFaces(KEY, ['a1', 'nope'])).toEqual({ seq: 7, removed: [{ id: 'a1', subject: 'ann' }] });
    expect(await store.renameSubject(KEY, 'ann', 'bob')).toEqual({ seq: 8, renamed: true });
    expect(await store.renameSubject(KEY, 'ghost', 'bob')).toEqual({ seq: 8, renamed: false });
    expect((await store.getFace(KEY, 'a2'))!).toMatchObject({ subject: 'bob', seq: 8 });
    expect(await store.subjects(KEY)).toEqual(['bob', 'cat', 'dan']);
    expect(await store.removeSubjects(KEY, ['cat', 'dan', 'eve'])).toEqual({ seq: 10, subjects: ['cat', 'dan'], faces: 2 });
    expect(await store.removeAllFaces(KEY, 'bob')).toMatchObject({ seq: 12 });
    expect(await store.subjects(KEY)).toEqual(['bob']);
    await store.addFaces(KEY, [face('a1', 'ann', 9)]);  // an id removed earlier comes back

    const { changes, last } = await allChanges(store);
    expect(last).toBe(13);
    expect(changes.map((c) => c.seq)).toEqual([...changes.map((c) => c.seq)].sort((x, y) => x - y));
    const replayed = replay(changes);
    const want = new Map<string, string>();
    for (const key of [KEY, OTHER]) {
      for (const [id, subject] of await currentFaces(store, key)) want.set(`${collectionStem(key)}/${id}`, subject);
    }
    expect(replayed).toEqual(want);
    // From any point, the rest of the feed brings a replica at that point to the same state.
    for (let at = 1; at < 13; at += 3) {
      const upTo = replay((await allChanges(store)).changes.filter((c) => c.seq <= at));
      expect(replay((await allChanges(store, at)).changes, upTo)).toEqual(want);
    }
  });

  it('splits the feed into shard slices by shardOf(id); pages with a limit', async () => {
    const faces = Array.from({ length: 60 }, (_, i) => face(`f${i}`, `s${i % 5}`, i));
    await store.addFaces(KEY, faces.slice(0, 40));
    await store.removeFaces(KEY, faces.slice(0, 10).map((f) => f.id));
    await store.addFaces(KEY, faces.slice(40));
    const whole = replay((await allChanges(store)).changes);
    const union = new Map<string, string>();
    for (let index = 0; index < 3; index++) {
      const { changes, last } = await allChanges(store, 0, { shard: { index, count: 3 }, limit: 7 });
      expect(last).toBe(70);
      for (const c of changes) expect(shardOf(c.id, 3)).toBe(index);
      replay(changes, union);
    }
    expect(union).toEqual(whole);
    expect(whole.size).toBe(50);
  });

  it('numbers concurrent writes in commit order: every page of the feed is gap-free', async () => {
    const other = await PostgresStore.connect(db.url, { dim: DIM, modelKey: 'test-model' });
    try {
      const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).addFaces(KEY, [face(`w${i}a`, 'x', i), face(`w${i}b`, 'y', i + 100)]));
      // Read the feed while writing: whatever a read returns is complete up to its `last`.
      let at = 0;
      const seen: number[] = [];
      while (at < 80) {
        const batch = await store.changesSince(at);
        seen.push(...batch.changes.map((c) => c.seq));
        expect(seen).toEqual(Array.from({ length: batch.last }, (_, i) => i + 1));
        at = batch.last;
      }
      const acks = await Promise.all(writes);
      expect(new Set(acks.map((a) => a.seq)).size).toBe(40);
    } finally {
      await other.close();
    }
  });

  it('sees only the faces of its own model', async () => {
    await store.addFaces(KEY, [face('a1', 'ann', 1)]);
    const wide = await PostgresStore.connect(db.url, { dim: 16, modelKey: 'other-model' });
    try {
      expect(await wide.getFace(KEY, 'a1')).toBeUndefined();
      expect((await wide.changesSince(0)).changes).toEqual([]);
      expect(await wide.subjects(KEY)).toEqual(['ann']);
    } finally {
      await wide.close();
    }
  });

  it('notifies listeners with the new head after each numbered commit', async () => {
    const heard: number[] = [];
    const stop = await store.onChange((head) => heard.push(head));
    await store.addFaces(KEY, [face('a1', 'ann', 1), face('a2', 'ann', 2)]);
    await store.addSubject(KEY, 'quiet');  // numbers nothing: no notification
    await store.removeFaces(KEY, ['a1']);
    const deadline = Date.now() + 2000;
    while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual([2, 3]);
    await stop();
  });

  it('migrates once when processes connect at the same time', async () => {
    const fresh = await createTestDatabase();
    try {
      const more = await Promise.all([1, 2, 3].map(() => PostgresStore.connect(fresh.url, { dim: DIM, modelKey: 'test-model' })));
      expect(await more[0]!.head()).toBe(0);
      await Promise.all(more.map((s) => s.close()));
    } finally {
      await fresh.drop();
    }
  });
});
