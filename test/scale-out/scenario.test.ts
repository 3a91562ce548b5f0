// Issue #16's "done when", as processes on a real PostgreSQL and Redis: two shards
// (`serve --store --shard i/2`), a router (`serve --route … --store`), two workers, and
// `enroll <dir> --queue … --wait` over real labelled photos, one worker killed with -9 mid-job.
// The store then holds exactly the main face of every photo with a face (as a local
// FaceAnalyzer finds it), once each; each person's held-out photo is recognised through the
// router by CompreFace's own SDK; a shard killed with -9 makes the router answer 503 naming it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompreFace } from '@exadel/compreface-js-sdk';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceAnalyzer } from '../../src/pipeline/face-analyzer.js';
import { mainFace } from '../../src/pipeline/main-face.js';
import { openRedis } from '../../src/queue/connection.js';
import { enrolJobId } from '../../src/queue/enrol-job.js';
import { faceless } from '../cli/photos.js';
import { buildForChild } from '../helpers/child-build.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';
import { refSimilarity } from '../helpers/reference.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { spawnWorker, type WorkerChild } from '../queue/worker-child.js';
import { kill9, serve, type Served } from '../router/cluster.js';

const KEY = 'scenario-key-0123456789';
// deepface photos (labels.csv): three enrolled per person, one held out for recognition.
const PEOPLE = {
  angelina: { enrolled: ['img5.jpg', 'img6.jpg', 'img11.jpg'], heldOut: 'img10.jpg' },
  p03: { enrolled: ['img12.jpg', 'img55.jpg', 'img53.jpg'], heldOut: 'img56.jpg' },
  p08: { enrolled: ['img51.jpg', 'img50.jpg', 'img8.jpg'], heldOut: 'img9.jpg' },
  p16: { enrolled: ['img16.jpg', 'img17.jpg', 'img61.jpg'], heldOut: 'img62.jpg' },
};
const photo = (file: string) => sharedData('deepface', file);
// The SDK reads a string starting with '.' as a file path (it refuses absolute ones).
const rel = (file: string) => `./${path.relative(process.cwd(), file)}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sdk = any;

/** `facecore enroll …` as a child process of the tree; resolves with its exit code and output. */
function enrollChild(tree: string, cwd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(tree, 'src/cli/main.js'), 'enroll', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

const ready = await hasRedis();
describe.skipIf(!ready || !hasPostgres || !hasShared)('scale-out scenario: shards, router, workers, enroll --wait, kill -9', { timeout: 300_000 }, () => {
  let tree = '', dir = '', name = '';
  let db: TestDatabase, redis: Redis;
  const servers: Served[] = [];
  const workers: WorkerChild[] = [];
  let router: Served;
  let shards: Served[] = []; // in slice order (servers is in start order)
  // job id (what the worker files the face under) -> subject, for the photos with a face here.
  const expected = new Map<string, string>();
  const embeddings = new Map<string, Float32Array>();
  let jobs = 0;

  beforeAll(async () => {
    tree = buildForChild();
    [db, redis] = await Promise.all([createTestDatabase(), openRedis(redisUrl)]);
    name = testQueueName('scenario');
    dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-scenario-'));
    // The people folder: links to the shared photos, one folder per person (as enroll expects).
    for (const [subject, { enrolled }] of Object.entries(PEOPLE)) {
      mkdirSync(path.join(dir, 'people', subject), { recursive: true });
      for (const file of enrolled) symlinkSync(photo(file), path.join(dir, 'people', subject, file));
    }
    // A photo without a face: a job that stores nothing.
    mkdirSync(path.join(dir, 'people', 'nobody'));
    await faceless(path.join(dir, 'people', 'nobody', 'grey.png'));
    jobs = Object.values(PEOPLE).reduce((n, p) => n + p.enrolled.length, 1);

    const start = async (args: string[]) => {
      const s = await serve(tree, args, KEY);
      servers.push(s);
      return s;
    };
    const shardsUp = Promise.all([0, 1].map((i) => start(['--store', db.url, '--shard', `${i}/2`])));
    for (let i = 0; i < 2; i++) {
      workers.push(spawnWorker(tree, ['--queue', redisUrl, '--queue-name', name, '--store', db.url, '--lock-timeout', '2']));
    }
    // What the workers should store, from a local analyzer on the same bytes (loads while they do).
    const analyzer = await FaceAnalyzer.create();
    try {
      for (const [subject, { enrolled }] of [...Object.entries(PEOPLE), ['nobody', { enrolled: ['grey.png'] }] as const]) {
        for (const file of enrolled) {
          const bytes = readFileSync(path.join(dir, 'people', subject, file));
          const faces = await analyzer.analyze(bytes);
          const face = mainFace(faces, faces.width, faces.height);
          if (!face) continue;
          const id = enrolJobId(KEY, bytes);
          expected.set(id, subject);
          embeddings.set(id, face.embedding);
        }
      }
    } finally {
      await analyzer.dispose();
    }
    shards = await shardsUp;
    router = await start(['--route', shards.map((s) => s.url).join(','), '--store', db.url]);
    await Promise.all(workers.map((w) => w.waitFor(/^worker ready/, 180_000)));
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    for (const s of servers) await kill9(s.child);
    if (redis) {
      await removeQueue(redis, name);
      redis.disconnect();
    }
    await db?.drop();
    if (tree) rmSync(tree, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('enroll --wait survives a worker killed with -9; the store holds each main face once; the router recognises every person', async () => {
    expect(expected.size).toBe(jobs - 1); // every labelled photo has a face; the grey one has none
    const enrolled = enrollChild(tree, dir, ['people', '--queue', redisUrl, '--queue-name', name, '--store', db.url, '--api-key', KEY, '--wait']);

    // Kill a worker while it runs its second job (one job completed, the next started): whichever gets there first.
    const started = /^job ([0-9a-f]{12}) .*: started$/;
    const secondStart = async (w: WorkerChild) => {
      const first = started.exec(await w.waitFor(started, 120_000))![1]!;
      await w.waitFor(/: (stored|already stored|no face)$/, 120_000);
      return { w, line: await w.waitFor(new RegExp(`^job (?!${first})[0-9a-f]{12} .*: started$`), 120_000) };
    };
    const tries = workers.map(secondStart);
    const enrollEnded = enrolled.then(({ code, out }): never => {
      throw new Error(`enroll exited (${code}) before a worker started its second job:\n${out}`);
    });
    const { w: a, line: second } = await Promise.race([...tries, enrollEnded]);
    const b = workers.find((w) => w !== a)!;
    for (const t of [...tries, enrollEnded]) t.catch(() => undefined); // the losers of the race settle later
    a.child.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedPrefix = started.exec(second)![1]!;

    const { code, out } = await enrolled;
    expect(code, out).toBe(0);
    const faces = expected.size;
    expect(out).toMatch(new RegExp(`done: ${jobs} of ${jobs} job\\(s\\) completed, 0 failed; ${faces} photo\\(s\\) with a face`));
    expect(out).toMatch(new RegExp(`the collection holds ${faces} face\\(s\\) made with the workers' models`));

    // The job the killed worker was running: finished before the signal landed, or stalled and run again by the other.
    const finishedByA = a.lines.some((l) => l.startsWith(`job ${killedPrefix}`) && !l.endsWith(': started'));
    if (!finishedByA) {
      const queue = new Queue(name, { connection: redis });
      try {
        const job = (await queue.getJobs(['completed'])).find((j) => j.id!.startsWith(killedPrefix));
        expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
      } finally {
        await queue.close();
      }
      expect(b.lines.some((l) => l.startsWith(`job ${killedPrefix}`) && l.endsWith(': started'))).toBe(true);
    }

    // PostgreSQL: one row per photo with a face, under the job id, with the worker's embedding of the main face.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let head = 0;
    try {
      const { rows } = await client.query<{ id: string; subject: string; dim: number; embedding: Buffer }>(
        'SELECT id, subject, dim, embedding FROM faces');
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(new Map(rows.map((r) => [r.id, r.subject]))).toEqual(expected);
      for (const r of rows) {
        const stored = new Float32Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.dim * 4));
        expect(refSimilarity(stored, 0, embeddings.get(r.id)!, 0, r.dim, 'cosine'), r.id).toBeGreaterThan(0.999);
      }
      head = Number((await client.query<{ seq: string }>('SELECT seq FROM facecore_head')).rows[0]!.seq);
    } finally {
      await client.end();
    }

    // The workers wrote the store directly: let each shard apply every change (`after`) before asking.
    for (const s of shards) {
      const res = await fetch(`${s.url}/internal/v1/search`, {
        method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ embeddings: [[...embeddings.values().next().value!]], k: 1, after: head }),
      });
      expect(res.status).toBe(200);
    }
    const sdk: Sdk = new CompreFace('http://127.0.0.1', Number(new URL(router.url).port), {} as never);
    const recognition = sdk.initFaceRecognitionService(KEY);
    for (const [subject, { heldOut }] of Object.entries(PEOPLE)) {
      const r = await recognition.recognize(rel(photo(heldOut)), { limit: 0, prediction_count: 1 });
      expect(r.result[0].subjects[0].subject, heldOut).toBe(subject);
      expect(r.result[0].subjects[0].similarity).toBeGreaterThan(0.5);
    }
  });

  it('a shard killed with -9: the router answers 503 naming it', async () => {
    const dead = shards[1]!;
    await kill9(dead.child);
    const res = await fetch(`${router.url}/api/v1/recognition/recognize`, {
      method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ file: readFileSync(photo(PEOPLE.p08.heldOut)).toString('base64') }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = await res.json() as { code: number; message: string };
    expect(body.code).toBe(7);
    expect(body.message).toContain(`shard 2 of 2 ${dead.url}`);
  });
});
