// `facecore serve --store` as real processes on one PostgreSQL: a whole replica and two shard
// slices. A write through any of them (or straight into the store, as a queue worker does) is
// searchable in every process holding its slice within 1 s; a shard killed with -9 and started
// again has every face of its slice, those written while it was down included; a face answered
// 201 just before the kill is in the store and searchable.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { shardOf } from '../../src/store/shard.js';
import { buildForChild } from '../helpers/child-build.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { rng } from '../helpers/random.js';
import { serveChild, within, type ServeChild as Served } from '../helpers/serve-child.js';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo } from '../server/fixture.js';

let tree = '';
let db: TestDatabase;
const children: ChildProcess[] = [];

async function serve(...extra: string[]): Promise<Served> {
  const served = await serveChild(tree, ['--store', db.url, ...extra], { FACECORE_API_KEYS: KEY });
  children.push(served.child);
  return served;
}

const killed = (s: Served) => new Promise<void>((resolve) => {
  s.child.on('exit', () => resolve());
  s.child.kill('SIGKILL');
});

const json = { 'x-api-key': KEY, 'content-type': 'application/json' };
const upload = (s: Served, subject: string, file: string) => fetch(`${s.url}/api/v1/recognition/faces?subject=${subject}`, {
  method: 'POST', headers: json, body: JSON.stringify({ file: fs.readFileSync(photo(file)).toString('base64') }),
});

/** The best subject for each vector, as one process answers. */
async function bestSubjects(s: Served, vectors: Float32Array[]): Promise<(string | undefined)[]> {
  const res = await fetch(`${s.url}/api/v1/recognition/embeddings/recognize`, {
    method: 'POST', headers: json, body: JSON.stringify({ embeddings: vectors.map((v) => [...v]) }),
  });
  expect(res.status).toBe(200);
  const body = await res.json() as { result: { similarities: { subject: string }[] }[] };
  return body.result.map((r) => r.similarities[0]?.subject);
}

describe.skipIf(!hasPostgres || !hasShared)('facecore serve --store: processes on one store', () => {
  let whole: Served;
  const shards: Served[] = [];
  let store: PostgresStore;
  let random: () => number;
  const face = (i: number) => ({ id: `direct-${i}`, subject: `person-${i}`, vector: Float32Array.from({ length: store.dim }, () => random() * 2 - 1) });

  beforeAll(async () => {
    tree = buildForChild();
    db = await createTestDatabase();
    [whole, shards[0], shards[1]] = await Promise.all([serve(), serve('--shard', '0/2'), serve('--shard', '1/2')]);
    // The model's key and dim, as the servers wrote them with the first face.
    const first = await upload(whole, 'angelina', 'img1.jpg');
    expect(first.status).toBe(201);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows: [m] } = await client.query<{ model_key: string; dim: number }>('SELECT model_key, dim FROM faces LIMIT 1');
    await client.end();
    store = await PostgresStore.connect(db.url, { dim: m!.dim, modelKey: m!.model_key });
    random = rng(11);
  }, 180_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store?.close();
    await db?.drop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('answers its writer at once and every other process within 1 s', async () => {
    // Read-your-writes through the process written to (an HTTP upload), the slice's shard within 1 s.
    const added = await upload(whole, 'brad', 'img8.jpg');
    expect(added.status).toBe(201);
    const { image_id } = await added.json() as { image_id: string };
    const rec = (await store.getFace(KEY, image_id))!;
    expect(await bestSubjects(whole, [rec.vector])).toEqual(['brad']);
    await within(1000, async () => (await bestSubjects(shards[shardOf(image_id, 2)]!, [rec.vector]))[0] === 'brad');

    // Writes straight into the store (as a queue worker's): each process holding the face answers it within 1 s.
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const f = face(i);
      await store.addFaces(KEY, [f]);
      const holder = shards[shardOf(f.id, 2)]!;
      waits.push(await within(1000, async () => (await bestSubjects(whole, [f.vector]))[0] === f.subject
        && (await bestSubjects(holder, [f.vector]))[0] === f.subject));
    }
    expect(Math.max(...waits)).toBeLessThan(1000);
  });

  it('a shard killed with -9 comes back with its slice, writes made while it was down included', async () => {
    await killed(shards[1]!);
    const during = Array.from({ length: 12 }, (_, i) => face(100 + i));
    await store.addFaces(KEY, during);
    await store.removeFaces(KEY, ['direct-0', 'direct-1']);
    shards[1] = await serve('--shard', '1/2');
    const mine = during.filter((f) => shardOf(f.id, 2) === 1);
    expect(mine.length).toBeGreaterThan(0);
    // Loaded before it listens: no waiting.
    expect(await bestSubjects(shards[1], mine.map((f) => f.vector))).toEqual(mine.map((f) => f.subject));
    const listed = await (await fetch(`${shards[1].url}/api/v1/recognition/faces?size=1000`, { headers: { 'x-api-key': KEY } })).json() as { total_elements: number };
    expect(listed.total_elements).toBe((await store.listFaces(KEY)).total);
  });

  it('keeps a face answered 201 by a shard killed with -9 right after', async () => {
    const added = await upload(shards[1]!, 'jolie', 'img2.jpg');
    expect(added.status).toBe(201);
    await killed(shards[1]!);
    const { image_id } = await added.json() as { image_id: string };
    const rec = await store.getFace(KEY, image_id);
    expect(rec?.subject).toBe('jolie');
    await within(1000, async () => (await bestSubjects(whole, [rec!.vector]))[0] === 'jolie');
    shards[1] = await serve('--shard', '1/2');
    const holder = shards[shardOf(image_id, 2)]!;
    expect(await bestSubjects(holder, [rec!.vector])).toEqual(['jolie']);
  });
}, 300_000);
