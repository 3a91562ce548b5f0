// The router on the PostgreSQL store: two `serve --store --shard i/2` processes and a router
// `serve --route … --store`. A face enrolled through the router lands in the store and is
// recognised through it; faces written straight into the store (as queue workers write them),
// ties included, are answered through the router exactly as one FaceIndex fed the store's
// change feed in seq order answers.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { collectionStem } from '../../src/store/collection-stem.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { ShardRouter } from '../../src/store/router/shard-router.js';
import { buildForChild } from '../helpers/child-build.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { randomRows } from '../helpers/random.js';
import { within } from '../helpers/serve-child.js';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo } from '../server/fixture.js';
import { freePort, kill9, serve, shardOf, type Served } from './cluster.js';

let tree = '';
let db: TestDatabase;
let store: PostgresStore;
const running: Served[] = [];

const json = { 'x-api-key': KEY, 'content-type': 'application/json' };
const image = (file: string) => JSON.stringify({ file: fs.readFileSync(photo(file)).toString('base64') });

/** One FaceIndex holding the key's faces as the store's change feed gives them (seq order). */
async function reference(): Promise<FaceIndex> {
  const index = new FaceIndex({ dim: store.dim });
  const stem = collectionStem(KEY);
  for (let seq = 0; ;) {
    const { changes, last } = await store.changesSince(seq, { limit: 10_000 });
    for (const c of changes) {
      if (c.collection !== stem) continue;
      if (c.kind === 'remove') await index.remove([c.id]);
      else await index.add([c.id], c.vector, { labels: [c.subject], meta: [{ seq: c.seq }] });
    }
    if (changes.length === 0 || last === seq) break;
    seq = last;
  }
  return index;
}

describe.skipIf(!hasPostgres || !hasShared)('router over store-backed shards', () => {
  let router: Served;
  const shards: Served[] = [];

  beforeAll(async () => {
    tree = buildForChild();
    db = await createTestDatabase();
    const ports = [await freePort(), await freePort(), await freePort()];
    const start = async (args: string[]) => {
      const s = await serve(tree, args, KEY);
      running.push(s);
      return s;
    };
    [shards[0], shards[1]] = await Promise.all([0, 1].map((i) => start(['--store', db.url, '--shard', `${i}/2`, '--port', String(ports[i])])));
    router = await start(['--route', shards.map((s) => s.url).join(','), '--store', db.url, '--port', String(ports[2])]);
  }, 180_000);
  afterAll(async () => {
    for (const s of running) await kill9(s.child);
    await store?.close();
    await db?.drop();
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  it('enrols through the router into the store, then recognises through it', async () => {
    const added = await fetch(`${router.url}/api/v1/recognition/faces?subject=angelina`, { method: 'POST', headers: json, body: image('img1.jpg') });
    expect(added.status).toBe(201);
    const { image_id } = await added.json();
    const list = await (await fetch(`${router.url}/api/v1/recognition/faces`, { headers: { 'x-api-key': KEY } })).json();
    expect(list.faces).toEqual([expect.objectContaining({ image_id, subject: 'angelina' })]);
    // Read-your-writes: the router's next search asks the shards to have applied its write first.
    const res = await fetch(`${router.url}/api/v1/recognition/recognize`, { method: 'POST', headers: json, body: image('img2.jpg') });
    expect(res.status).toBe(200);
    expect((await res.json()).result[0].subjects[0]?.subject).toBe('angelina');
  }, 60_000);

  it('answers as one FaceIndex fed the store in seq order: ids, scores, ties by seq', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows: [m] } = await client.query<{ model_key: string; dim: number }>('SELECT model_key, dim FROM faces LIMIT 1');
    await client.end();
    store = await PostgresStore.connect(db.url, { dim: m!.dim, modelKey: m!.model_key });
    const dim = store.dim;
    // 400 faces, and a later twin of every 20th on the other shard (equal scores: seq decides).
    const v = randomRows(400, dim, 21);
    const faces = Array.from({ length: 400 }, (_, i) => ({ id: `direct-${i}`, subject: `person-${i % 50}`, vector: v.slice(i * dim, (i + 1) * dim) }));
    await store.addFaces(KEY, faces);
    const twins = faces.filter((_, i) => i % 20 === 0).map((f) => {
      let j = 0;
      while (shardOf(`${f.id}-twin${j}`, 2) === shardOf(f.id, 2)) j++;
      return { ...f, id: `${f.id}-twin${j}` };
    });
    const { seq } = await store.addFaces(KEY, twins);

    const one = await reference();
    const queries = new Float32Array(8 * dim);
    queries.set(randomRows(4, dim, 22));
    twins.slice(-4).forEach((t, i) => queries.set(t.vector, (4 + i) * dim));
    const shardRouter = new ShardRouter({ shards: shards.map((s) => s.url) });
    try {
      // Wait until both shards have applied the last write (its seq is on a twin: look for it).
      await within(3000, async () => (await shardRouter.search(KEY, queries.subarray(7 * dim), dim, 2)).faces![0]!.some((h) => h.seq === seq));
      const expected = await one.search(queries, 10);
      const got = (await shardRouter.search(KEY, queries, dim, 10)).faces!;
      expect(got.map((row) => row.map((h) => h.id))).toEqual(expected.map((row) => row.map((h) => h.id)));
      got.forEach((row, q) => row.forEach((h, r) => expect(Math.abs(h.score - expected[q]![r]!.score)).toBeLessThanOrEqual(1e-6)));
      for (const row of got.slice(4)) {
        expect(row[0]!.score).toBe(row[1]!.score);
        expect(row[0]!.seq!).toBeLessThan(row[1]!.seq!);
        expect(row[1]!.id).toMatch(/-twin\d+$/);
      }
    } finally {
      shardRouter.close();
    }
  }, 60_000);

  it('a shard asked for `after` a change it has not applied waits for it', async () => {
    const dim = store.dim;
    const face = { id: 'late-face', subject: 'late', vector: randomRows(1, dim, 23) };
    const shard = shards[shardOf(face.id, 2)]!;
    const pending = fetch(`${shard.url}/internal/v1/search`, {
      method: 'POST', headers: json, body: JSON.stringify({ embeddings: [Array.from(face.vector)], k: 1, after: (await store.head()) + 1 }),
    });
    await new Promise((r) => setTimeout(r, 200));
    const { seq } = await store.addFaces(KEY, [face]);
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json()).faces[0][0]).toEqual({ id: 'late-face', subject: 'late', score: expect.closeTo(1, 6), seq });
  }, 60_000);
});
