// The server on the store while PostgreSQL is unreachable: writes answer 503 with Retry-After
// (nothing acknowledged), searches keep answering from the replica, and writes work again
// once the database is back. A face stored by another writer with a vector of any length
// verifies as the unit vector it stands for.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { admin, createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { rng } from '../helpers/random.js';
import { within } from '../helpers/serve-child.js';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo, sharedAnalyzer, startServer, type Running } from '../server/fixture.js';

const adminSql = (sql: string) => admin((c) => c.query(sql));

describe.skipIf(!hasPostgres)('facecore serve --store with the database down', () => {
  let db: TestDatabase;
  let server: Running;
  let store: PostgresStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServer({ store: { url: db.url, pollMs: 200 } });
    const { recognizer } = await sharedAnalyzer();
    store = await PostgresStore.connect(db.url, { dim: recognizer.dim, modelKey: recognizer.id });
  }, 120_000);
  afterAll(async () => {
    await adminSql(`ALTER DATABASE ${db.name} CONNECTION LIMIT -1`).catch(() => undefined);
    await server?.close();
    await store?.close();
    await db?.drop();
  });

  const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };
  const recognize = (vector: Float32Array) => fetch(`${server.url}/api/v1/recognition/embeddings/recognize`, {
    method: 'POST', headers, body: JSON.stringify({ embeddings: [[...vector]] }),
  });
  const addSubject = (subject: string) => fetch(`${server.url}/api/v1/recognition/subjects`, { method: 'POST', headers, body: JSON.stringify({ subject }) });

  it('refuses writes with 503 + Retry-After, keeps searching, recovers', async () => {
    const random = rng(3);
    const vector = Float32Array.from({ length: store.dim }, () => random() - 0.5);
    await store.addFaces(KEY, [{ id: 'face-1', subject: 'ann', vector }]);
    await within(1000, async () => (await (await recognize(vector)).json()).result[0].similarities[0]?.subject === 'ann');

    await adminSql(`ALTER DATABASE ${db.name} CONNECTION LIMIT 0`);
    await adminSql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
    const refused = await addSubject('bob');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).message).toMatch(/^store unavailable: /);
    const found = await recognize(vector);
    expect(found.status).toBe(200);
    expect((await found.json()).result[0].similarities[0].subject).toBe('ann');

    await adminSql(`ALTER DATABASE ${db.name} CONNECTION LIMIT -1`);
    expect((await addSubject('bob')).status).toBe(201);
    const list = await (await fetch(`${server.url}/api/v1/recognition/subjects`, { headers })).json();
    expect(list.subjects).toEqual(['ann', 'bob']);
  });

  it.skipIf(!hasShared)('verifies against a stored vector of any length as its unit vector', async () => {
    const bytes = fs.readFileSync(photo('img2.jpg'));
    const [face] = await (await sharedAnalyzer()).analyze(bytes);
    await store.addFaces(KEY, [{ id: 'scaled-1', subject: 'jolie', vector: face!.embedding.map((x) => x * 0.2) }]);
    const res = await fetch(`${server.url}/api/v1/recognition/faces/scaled-1/verify`, {
      method: 'POST', headers, body: JSON.stringify({ file: bytes.toString('base64') }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).result[0].similarity).toBeGreaterThan(0.999);
  });
});
