// POST /internal/v1/search, the shard side of the router: auth, bad input named, an empty
// collection, seq from meta.seq (null without), and faces and subjects as the index ranks them.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { collectionStem } from '../../src/server/collections.js';
import { ApiError } from '../../src/server/errors.js';
import { ShardRouter } from '../../src/store/router/shard-router.js';
import { randomRows } from '../helpers/random.js';
import { KEY, OTHER_KEY, startServer, type Running } from '../server/fixture.js';
import { writeCollection } from './cluster.js';

const DIM = 128;
let server: Running;
const search = (body: unknown, key = KEY) => fetch(`${server.url}/internal/v1/search`, {
  method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body),
});

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-internal-'));
  // Faces a, b (subject x) with the store's seq, and c (subject y) added without one.
  const v = randomRows(3, DIM, 3);
  await writeCollection(dataDir, KEY, [{ id: 'a', subject: 'x', seq: 10 }, { id: 'b', subject: 'x', seq: 11 }], v.subarray(0, 2 * DIM), DIM);
  const index = await FaceIndex.open(path.join(dataDir, `${collectionStem(KEY)}.fci`), { dim: DIM });
  await index.add(['c'], v.subarray(2 * DIM), { labels: ['y'] });
  await index.close();
  server = await startServer({ dataDir });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('POST /internal/v1/search', () => {
  it('needs the key, and names bad input', async () => {
    expect((await search({ embeddings: [[1]], k: 1 }, 'wrong-key-123456')).status).toBe(401);
    const short = await search({ embeddings: [new Array(DIM - 1).fill(0.1)], k: 1 });
    expect(short.status).toBe(400);
    expect((await short.json()).message).toBe(`embeddings[0]: expected ${DIM} numbers (this server's model), got ${DIM - 1}`);
    expect((await search({ embeddings: [new Array(DIM).fill(0.1)], k: 0 })).status).toBe(400);
    expect((await search({ embeddings: [], k: 1 })).status).toBe(400);
    expect((await search({ k: 1 })).status).toBe(400);
    // Queries as base64 float32 (what a router sends): the model's dim, and one form only.
    const b64 = (n: number) => Buffer.from(new Float32Array(n).fill(0.1).buffer).toString('base64');
    const wrongDim = await search({ vectors: b64(DIM - 1), k: 1 });
    expect(wrongDim.status).toBe(400);
    expect((await wrongDim.json()).message).toBe(`vectors: expected rows of ${DIM} float32 numbers (${4 * DIM} bytes each; this server's model), got ${4 * (DIM - 1)} bytes`);
    expect((await search({ vectors: 'not base64!', k: 1 })).status).toBe(400);
    const both = await search({ vectors: b64(DIM), embeddings: [new Array(DIM).fill(0.1)], k: 1 });
    expect(both.status).toBe(400);
    expect((await both.json()).message).toMatch(/either vectors .* or embeddings/);
  });

  it('answers base64 float32 queries as it answers the same numbers in JSON', async () => {
    const q = randomRows(2, DIM, 9);
    const rows = [Array.from(q.subarray(0, DIM)), Array.from(q.subarray(DIM))];
    const asJson = await (await search({ embeddings: rows, k: 3, labels: true })).json();
    const asBase64 = await (await search({ vectors: Buffer.from(q.buffer).toString('base64'), k: 3, labels: true })).json();
    expect(asBase64).toEqual(asJson);
    expect(asJson.faces).toHaveLength(2);
  });

  it('answers an empty collection with empty lists', async () => {
    const res = await search({ embeddings: [new Array(DIM).fill(0.1)], k: 3, labels: true }, OTHER_KEY);
    expect(await res.json()).toEqual({ faces: [[]], labels: [[]] });
  });

  it('answers faces with seq from meta, and subjects by their best face', async () => {
    const q = new Array(DIM).fill(0).map((_, i) => (i % 3) - 1);
    const res = await search({ embeddings: [q], k: 5, labels: true });
    expect(res.status).toBe(200);
    const body = await res.json();
    const faces = body.faces[0] as { id: string; subject: string; score: number; seq: number | null }[];
    expect(faces.map((h) => [h.id, h.subject, h.seq]).sort()).toEqual([['a', 'x', 10], ['b', 'x', 11], ['c', 'y', null]]);
    expect(faces.map((h) => h.score)).toEqual(faces.map((h) => h.score).sort((p, q) => q - p));
    const best = (subject: string) => Math.max(...faces.filter((h) => h.subject === subject).map((h) => h.score));
    expect(body.labels[0]).toEqual([{ subject: 'x', score: best('x') }, { subject: 'y', score: best('y') }].sort((p, q) => q.score - p.score));
    // faces: false answers subjects only.
    expect(Object.keys(await (await search({ embeddings: [q], k: 1, faces: false, labels: true })).json()).sort()).toEqual(['labels']);
    // minScore cuts both lists.
    const cut = await (await search({ embeddings: [q], k: 5, labels: true, minScore: faces[1]!.score })).json();
    expect(cut.faces[0]).toEqual(faces.slice(0, 2));
    expect(cut.labels[0]).toEqual(body.labels[0].filter((h: { score: number }) => h.score >= faces[1]!.score));
  });

  it('ShardRouter: a shard answering 200 with something else has failed, it is never an empty answer', async () => {
    const bogus = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/internal/v1/search' ? '{"faces": []}' : '{}'));
    });
    await new Promise<void>((resolve) => bogus.listen(0, '127.0.0.1', resolve));
    const bogusUrl = `http://127.0.0.1:${(bogus.address() as AddressInfo).port}`;
    const router = new ShardRouter({ shards: [server.url, bogusUrl] });
    try {
      const q = randomRows(1, DIM, 5);
      const err = await router.search(KEY, q, DIM, 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).statusCode).toBe(503);
      expect((err as ApiError).message).toContain(`shard 2 of 2 ${bogusUrl}: answered without faces for each of the 1 queries`);
      const partial = await router.search(KEY, q, DIM, 2, { partial: true });
      expect(partial.unavailable).toEqual([bogusUrl]);
      const alone = new ShardRouter({ shards: [server.url] });
      expect(partial.faces).toEqual((await alone.search(KEY, q, DIM, 2)).faces);
      alone.close();
    } finally {
      router.close();
      bogus.close();
    }
  });

  it('ShardRouter checks its options', () => {
    expect(() => new ShardRouter({ shards: [] })).toThrow(RangeError);
    expect(() => new ShardRouter({ shards: ['ftp://x'] })).toThrow('shards: expected http://host:port URLs, got "ftp://x"');
    expect(() => new ShardRouter({ shards: ['http://a:1', 'http://a:1/'] })).toThrow('options.shards: expected distinct shards, got http://a:1 twice');
    expect(() => new ShardRouter({ shards: ['http://a:1'], timeoutMs: 0 })).toThrow('options.timeoutMs: expected a positive integer, got 0');
  });
});

describe('facecore serve --route', () => {
  it('names a bad shard URL before loading anything', async () => {
    const { main } = await import('../../src/cli/main.js');
    const { capture } = await import('../cli/capture.js');
    const a = capture();
    expect(await main(['serve', '--route', 'http://127.0.0.1:1,ftp://x', '--api-key', 'abcdefgh12'], a)).toBe(2);
    expect(a.err().split('\n')[0]).toBe('facecore serve: --route: expected http://host:port URLs, got "ftp://x"');
    const b = capture();
    expect(await main(['serve', '--route', ' , ', '--api-key', 'abcdefgh12'], b)).toBe(2);
    expect(b.err().split('\n')[0]).toBe('facecore serve: --route: expected comma-separated http://host:port URLs, got none');
    const c = capture();
    expect(await main(['serve', '--route', 'http://127.0.0.1:1', '--data', '/tmp', '--api-key', 'abcdefgh12'], c)).toBe(2);
    expect(c.err().split('\n')[0]).toBe('facecore serve: --route: the router keeps no faces of its own: no --data or --shard (--store for writes)');
  });
});
