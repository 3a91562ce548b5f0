// Two shard processes and a router process against one FaceIndex holding every face: the same
// ids, scores within 1e-6 and ties by seq (faces planted twice, on both shards); a shard killed
// -9 is a 503 naming it, ?partial=true answers from the other; a hung shard times out; the
// router killed -9 and restarted answers the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { ApiError } from '../../src/server/errors.js';
import { similarityOf } from '../../src/server/similarity.js';
import { ShardRouter } from '../../src/store/router/shard-router.js';
import { buildForChild } from '../helpers/child-build.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { randomRows, rng } from '../helpers/random.js';
import { freePort, kill9, serve, shardOf, writeCollection, type Face, type Served } from './cluster.js';

const KEY = 'router-key-0123456789';
const DIM = 128;
const N = 3000;

let tree = '';
const running: Served[] = [];
const dirs: string[] = [];
let shards: Served[] = [];
let router: Served;
let routerArgs: string[] = [];
/** Every face, and each shard's slice, as one in-process FaceIndex each (fed in seq order). */
let all: FaceIndex;
let slices: FaceIndex[] = [];
let queries: Float32Array;
let verify = 0;

/** N random faces of 300 subjects; every 10th face's vector comes again later under a new id on the other shard (a tie only seq breaks). */
function makeFaces(): { faces: Face[]; vectors: Float32Array } {
  const base = randomRows(N, DIM, 7);
  const r = rng(8);
  const faces: Face[] = [];
  const vectors = new Float32Array(2 * N * DIM);
  const push = (id: string, subject: string, row: number) => {
    vectors.set(base.subarray(row * DIM, (row + 1) * DIM), faces.length * DIM);
    faces.push({ id, subject, seq: faces.length });
  };
  for (let i = 0; i < N; i++) {
    const subject = `p${Math.floor(r() * 300)}`;
    push(`face-${i}`, subject, i);
    if (i % 10 === 0) {
      // A twin on the other shard, same subject (so subjects do not tie), later seq.
      let j = 0;
      while (shardOf(`twin-${i}-${j}`, 2) === shardOf(`face-${i}`, 2)) j++;
      push(`twin-${i}-${j}`, subject, i);
    }
  }
  return { faces, vectors: vectors.subarray(0, faces.length * DIM) };
}

async function indexOf(faces: Face[], vectors: Float32Array, pick: (f: Face) => boolean): Promise<FaceIndex> {
  const index = new FaceIndex({ dim: DIM });
  const rows = faces.flatMap((f, i) => (pick(f) ? [i] : []));
  const v = new Float32Array(rows.length * DIM);
  rows.forEach((row, i) => v.set(vectors.subarray(row * DIM, (row + 1) * DIM), i * DIM));
  await index.add(rows.map((i) => faces[i]!.id), v, { labels: rows.map((i) => faces[i]!.subject), meta: rows.map((i) => ({ seq: faces[i]!.seq })) });
  return index;
}

async function startShard(i: number, port: number): Promise<Served> {
  const s = await serve(tree, ['--data', dirs[i]!, '--port', String(port)], KEY);
  running.push(s);
  return s;
}
async function startRouter(): Promise<Served> {
  const s = await serve(tree, routerArgs, KEY);
  running.push(s);
  return s;
}

const recognize = (url: string, rows: number[][], query = '') => fetch(`${url}/api/v1/recognition/embeddings/recognize?prediction_count=5${query}`, {
  method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ embeddings: rows }),
});
const rowsOf = (v: Float32Array) => Array.from({ length: v.length / DIM }, (_, i) => Array.from(v.subarray(i * DIM, (i + 1) * DIM)));

/** What a single server holding `index`'s faces answers to embeddings/recognize. */
async function expectedRecognize(index: FaceIndex, rows: number[][]) {
  const hits = await index.searchLabels(new Float32Array(rows.flat()), 5);
  return { result: rows.map((embedding, i) => ({ embedding, similarities: hits[i]!.map((h) => ({ subject: h.label, similarity: similarityOf(h.score, verify) })) })) };
}

beforeAll(async () => {
  tree = buildForChild();
  const { faces, vectors } = makeFaces();
  all = await indexOf(faces, vectors, () => true);
  for (let s = 0; s < 2; s++) {
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), `facecore-shard${s}-`)));
    const rows = faces.flatMap((f, i) => (shardOf(f.id, 2) === s ? [i] : []));
    const v = new Float32Array(rows.length * DIM);
    rows.forEach((row, i) => v.set(vectors.subarray(row * DIM, (row + 1) * DIM), i * DIM));
    await writeCollection(dirs[s]!, KEY, rows.map((i) => faces[i]!), v, DIM);
    slices.push(await indexOf(faces, vectors, (f) => shardOf(f.id, 2) === s));
  }
  // Queries: fresh random rows, and planted rows (their best hit is a face and its twin, tied).
  queries = new Float32Array(12 * DIM);
  queries.set(randomRows(6, DIM, 9));
  for (let q = 0; q < 6; q++) queries.set(vectors.subarray(faces.findIndex((f) => f.id === `face-${q * 500}`) * DIM, faces.findIndex((f) => f.id === `face-${q * 500}`) * DIM + DIM), (6 + q) * DIM);

  const ports = [await freePort(), await freePort(), await freePort()];
  shards = await Promise.all([startShard(0, ports[0]!), startShard(1, ports[1]!)]);
  routerArgs = ['--route', shards.map((s) => s.url).join(','), '--shard-timeout', '3000', '--port', String(ports[2])];
  router = await startRouter();
  verify = (await (await fetch(`${router.url}/health`)).json()).thresholds.verify;
}, 180_000);

afterAll(async () => {
  for (const s of running) await kill9(s.child);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
});

describe('router over two shard processes', () => {
  it('merges to what one FaceIndex with every face answers: ids, scores, ties by seq', async () => {
    const shardRouter = new ShardRouter({ shards: shards.map((s) => s.url) });
    try {
      for (const k of [1, 2, 5, 40]) {
        for (const minScore of [undefined, 0.2]) {
          const got = await shardRouter.search(KEY, queries, DIM, k, { labels: true, minScore });
          const faces = await all.search(queries, k, { minScore });
          const labels = await all.searchLabels(queries, k, { minScore });
          expect(got.faces!.map((row) => row.map((h) => h.id))).toEqual(faces.map((row) => row.map((h) => h.id)));
          got.faces!.forEach((row, q) => row.forEach((h, r) => expect(Math.abs(h.score - faces[q]![r]!.score)).toBeLessThanOrEqual(1e-6)));
          expect(got.labels!.map((row) => row.map((h) => h.subject))).toEqual(labels.map((row) => row.map((h) => h.label)));
          got.labels!.forEach((row, q) => row.forEach((h, r) => expect(Math.abs(h.score - labels[q]![r]!.score)).toBeLessThanOrEqual(1e-6)));
        }
      }
      // The planted queries' best two are a face and its twin (equal scores, one per shard): seq decides.
      const top2 = (await shardRouter.search(KEY, queries.subarray(6 * DIM), DIM, 2)).faces!;
      for (const [a, b] of top2.map((row) => row)) {
        expect(a!.score).toBe(b!.score);
        expect(a!.seq!).toBeLessThan(b!.seq!);
        expect(a!.id).toMatch(/^face-/);
        expect(b!.id).toMatch(/^twin-/);
      }
    } finally {
      shardRouter.close();
    }
  }, 120_000);

  it('serves embeddings/recognize as one server with every face would', async () => {
    const rows = rowsOf(queries);
    const res = await recognize(router.url, rows);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(await expectedRecognize(all, rows));
    // An image: the router detects and embeds, the shards search.
    if (hasShared) {
      const photo = await fetch(`${router.url}/api/v1/recognition/recognize?prediction_count=3&face_plugins=calculator`, {
        method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ file: fs.readFileSync(sharedData('deepface', 'img1.jpg')).toString('base64') }),
      });
      expect(photo.status).toBe(200);
      const face = (await photo.json()).result[0];
      const best = await all.searchLabels(new Float32Array(face.embedding), 3);
      expect(face.subjects.map((s: { subject: string }) => s.subject)).toEqual(best[0]!.map((h) => h.label));
    }
    // Without --store the router keeps no subjects or faces: it says so.
    const list = await fetch(`${router.url}/api/v1/recognition/faces`, { headers: { 'x-api-key': KEY } });
    expect(list.status).toBe(501);
    expect((await list.json()).message).toMatch(/^this router has no store: .*--store postgres/);
  });

  it('a hung shard times out: 503 naming it', async () => {
    shards[1]!.child.kill('SIGSTOP');
    try {
      const res = await recognize(router.url, rowsOf(queries.subarray(0, DIM)));
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.code).toBe(7);
      expect(body.message).toContain(`shard 2 of 2 ${shards[1]!.url}: no answer within 3000 ms`);
    } finally {
      shards[1]!.child.kill('SIGCONT');
    }
  }, 60_000);

  it('a shard killed -9: 503 naming it, ?partial=true answers from the other, and it is back after a restart', async () => {
    const rows = rowsOf(queries);
    const whole = await (await recognize(router.url, rows)).json();
    await kill9(shards[1]!.child);

    const res = await recognize(router.url, rows);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = await res.json();
    expect(body).toEqual({ code: 7, message: expect.stringContaining(`shard 2 of 2 ${shards[1]!.url}: connect ECONNREFUSED`) });
    expect(body.message).toContain('?partial=true');

    const partial = await recognize(router.url, rows, '&partial=true');
    expect(partial.status).toBe(200);
    expect(partial.headers.get('x-facecore-partial')).toBe(shards[1]!.url);
    expect(await partial.json()).toEqual({ ...(await expectedRecognize(slices[0]!, rows)), partial: true, unavailable_shards: [shards[1]!.url] });
    // Opting in while every shard answers: the whole answer, flagged complete.
    const port = Number(new URL(shards[1]!.url).port);
    shards[1] = await startShard(1, port);
    const back = await recognize(router.url, rows, '&partial=true');
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ ...whole, partial: false, unavailable_shards: [] });
    expect(await (await recognize(router.url, rows)).json()).toEqual(whole);
  }, 120_000);

  it('the router killed -9 and restarted answers the same', async () => {
    const rows = rowsOf(queries);
    const before = await (await recognize(router.url, rows)).json();
    await kill9(router.child);
    router = await startRouter();
    const after = await recognize(router.url, rows);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(before);
    expect(before).toEqual(await expectedRecognize(all, rows));
  }, 120_000);
});
