// ShardReplica against a real PostgreSQL: replicas on their own connections (as separate
// processes would be) converge on every write within a second, slices split the faces, a
// replica's search equals a FaceIndex fed the store's faces, a lost listening connection is
// survived, and a writer waiting on its number reads its own write.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { collectionStem } from '../../src/store/collection-stem.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { ShardReplica } from '../../src/store/replica.js';
import { shardOf } from '../../src/store/shard.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { rng } from '../helpers/random.js';
import { within } from '../helpers/serve-child.js';

const DIM = 16;
const KEY = 'replica-key-0123456789';
const STEM = collectionStem(KEY);
const model = { dim: DIM, modelKey: 'test-model' };

function randomFaces(n: number, seed: number, prefix = 'f') {
  const rand = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`, subject: `s${i % 7}`, vector: Float32Array.from({ length: DIM }, () => rand() * 2 - 1),
  }));
}

/** The face ids a replica holds for KEY (over its slice). */
const idsIn = (r: ShardReplica) => new Set([...(r.index(STEM)?.entries() ?? [])].map((e) => e.id));

describe.skipIf(!hasPostgres)('ShardReplica', () => {
  let db: TestDatabase;
  const open: { close(): Promise<void> }[] = [];
  const connect = async () => {
    const s = await PostgresStore.connect(db.url, model);
    open.push(s);
    return s;
  };
  const replicate = async (options?: Parameters<typeof ShardReplica.start>[1]) => {
    const r = await ShardReplica.start(await connect(), options);
    open.unshift(r);  // replicas close before their stores
    return r;
  };
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    await db.drop();
  });

  it('loads what is there, then converges on every write within a second', async () => {
    const writer = await connect();
    const faces = randomFaces(60, 1);
    await writer.addFaces(KEY, faces.slice(0, 30));
    const whole = await replicate({ pollMs: 60_000 });  // NOTIFY alone must do it
    const halves = [await replicate({ shard: { index: 0, count: 2 }, pollMs: 60_000 }), await replicate({ shard: { index: 1, count: 2 }, pollMs: 60_000 })];
    expect(idsIn(whole)).toEqual(new Set(faces.slice(0, 30).map((f) => f.id)));

    for (const f of faces.slice(30)) {
      const { seq } = await writer.addFaces(KEY, [f]);
      const owner = halves[shardOf(f.id, 2)]!;
      const ms = await within(1000, () => whole.index(STEM)!.has(f.id) && owner.index(STEM)!.has(f.id));
      expect(ms).toBeLessThan(1000);
      expect(whole.applied).toBeGreaterThanOrEqual(seq);
    }
    await within(1000, () => halves.every((h) => h.applied === whole.applied));
    for (const [i, h] of halves.entries()) {
      expect(idsIn(h)).toEqual(new Set(faces.filter((f) => shardOf(f.id, 2) === i).map((f) => f.id)));
    }

    // Removals and renames reach every replica too.
    await writer.removeFaces(KEY, ['f1', 'f40']);
    await writer.renameSubject(KEY, 's3', 's4');
    const head = await writer.head();
    await within(1000, () => [whole, ...halves].every((r) => r.applied === head));
    expect(whole.index(STEM)!.has('f1')).toBe(false);
    const labels = new Map([...whole.index(STEM)!.entries()].map((e) => [e.id, e.label]));
    expect(labels.get('f3')).toBe('s4');
    expect([...labels.values()].includes('s3')).toBe(false);
    for (const h of halves) for (const e of h.index(STEM)!.entries()) expect(e.label).toBe(labels.get(e.id));
  });

  it('searches like a FaceIndex fed the store\'s faces in sequence order; meta carries seq', async () => {
    const writer = await connect();
    const faces = randomFaces(300, 2);
    await writer.addFaces(KEY, faces.slice(0, 200));
    await writer.removeFaces(KEY, faces.slice(0, 200).filter((_, i) => i % 5 === 0).map((f) => f.id));
    await writer.addFaces(KEY, faces.slice(200));
    const replica = await replicate();

    const reference = new FaceIndex({ dim: DIM });
    const { faces: listed } = await writer.listFaces(KEY);
    for (const { id } of listed) {
      const f = (await writer.getFace(KEY, id))!;
      await reference.add([id], f.vector, { labels: [f.subject] });
      expect(replica.index(STEM)!.get(id)!.meta).toEqual({ seq: f.seq });
    }
    const queries = Float32Array.from(randomFaces(8, 3).flatMap((f) => [...f.vector]));
    expect(await replica.index(STEM)!.search(queries, 10)).toEqual(await reference.search(queries, 10));
    expect(await replica.index(STEM)!.searchLabels(queries, 3)).toEqual(await reference.searchLabels(queries, 3));
  });

  it('gives a writer its own write at once (waitFor), before any notification', async () => {
    const store = await connect();
    const replica = await ShardReplica.start(store, { pollMs: 60_000 });
    open.unshift(replica);
    for (const f of randomFaces(10, 4)) {
      const { seq } = await store.addFaces(KEY, [f]);
      await replica.waitFor(seq);
      expect(replica.index(STEM)!.has(f.id)).toBe(true);
    }
  });

  it('survives its connections being cut: reconnects, catches up', async () => {
    const writer = await connect();
    const replica = await replicate({ pollMs: 300 });
    await writer.addFaces(KEY, randomFaces(3, 5, 'a'));
    await within(1000, () => replica.size === 3);
    // Cut every connection to the test database but the writer's next one.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await admin.end();
    await writer.addFaces(KEY, randomFaces(3, 6, 'b'));
    await within(3000, () => replica.size === 6);
    expect(replica.failure).toBeUndefined();
  });
});
