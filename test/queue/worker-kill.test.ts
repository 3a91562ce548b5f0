// Workers as separate processes on a real Redis and PostgreSQL: a worker killed with SIGKILL in
// the middle of a job loses nothing (after the lock timeout another worker runs the job again)
// and the store ends up with exactly one face per photo with a face; SIGTERM stops a worker
// gracefully (its running job finishes, the rest wait for others); a rerun adds nothing.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis } from '../../src/queue/connection.js';
import { ENROL_JOB, ENROL_JOB_OPTIONS, enrolJobId, type EnrolJobData, type EnrolJobResult } from '../../src/queue/enrol-job.js';
import { waitForJobs } from '../../src/queue/wait.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { runIn } from '../cli/capture.js';
import { faceless, reencoded, samplePhoto } from '../cli/photos.js';
import { buildForChild } from '../helpers/child-build.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';
import { spawnWorker, type WorkerChild } from './worker-child.js';

const API_KEY = 'kill-test-key';

describe.skipIf(!(await hasRedis()) || !hasPostgres)('facecore worker processes on Redis and PostgreSQL', { timeout: 240_000 }, () => {
  let redis: Redis, db: TestDatabase, tree = '', dir = '', name = '';
  let queue: Queue<EnrolJobData, EnrolJobResult>;
  const children: WorkerChild[] = [];
  // Subject folders: two photos each, and one photo without a face.
  const layout = [['ann', 1], ['ann', 2], ['bob', 3], ['bob', 4], ['cid', 5], ['cid', 6]] as const;
  const withFace = new Map<string, string>(); // job id -> "<subject>/<file>"

  beforeAll(async () => {
    redis = await openRedis(redisUrl);
    db = await createTestDatabase();
    tree = buildForChild();
    dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-worker-kill-'));
    for (const [subject, i] of layout) {
      mkdirSync(path.join(dir, 'people', subject), { recursive: true });
      const file = path.join(dir, 'people', subject, `${i}.jpg`);
      copyFileSync(samplePhoto(i), file);
      withFace.set(enrolJobId(API_KEY, readFileSync(file)), `${subject}/${i}.jpg`);
    }
    mkdirSync(path.join(dir, 'people', 'nobody'));
    await faceless(path.join(dir, 'people', 'nobody', 'grey.png'));
    name = testQueueName('kill');
    queue = new Queue(name, { connection: redis });
  });
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await queue?.close();
    if (redis) {
      await removeQueue(redis, name);
      redis.disconnect();
    }
    await db?.drop();
    rmSync(tree, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const worker = (...extra: string[]) => {
    const w = spawnWorker(tree, ['--queue', redisUrl, '--queue-name', name, '--store', db.url, '--lock-timeout', '2', ...extra]);
    children.push(w);
    return w;
  };
  const enroll = (...extra: string[]) => runIn(dir, 'enroll', 'people', '--queue', redisUrl, '--queue-name', name, '--api-key', API_KEY, ...extra);

  it('a worker killed mid-job loses nothing: the job runs again on another and each face is stored once', async () => {
    const queued = await enroll('--json');
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.out)).toMatchObject({ jobs: 7, added: 7 });

    const a = worker();
    const started = await a.waitFor(/^job [0-9a-f]{12} .*: started$/);
    a.child.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedPrefix = started.split(' ')[1]!;

    const b = worker();
    await b.waitFor(/^worker ready/);
    const ids = [...(await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']))].map((j) => j.id!);
    expect(ids).toHaveLength(7);
    const tally = await waitForJobs(queue, ids, { connection: redis, pollMs: 200, signal: AbortSignal.timeout(180_000) });
    expect(tally).toMatchObject({ total: 7, completed: 7, failed: 0, faces: 6, noFace: 1 });
    // The killed job went back to the queue as stalled (its lock ran out) and B ran it.
    const killed = (await queue.getJobs(['completed'])).find((j) => j.id!.startsWith(killedPrefix))!;
    expect(killed.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(b.lines.some((l) => l.startsWith(`job ${killedPrefix}`) && l.endsWith(': started'))).toBe(true);

    const store = await PostgresStore.connect(db.url, { dim: tally.model!.dim, modelKey: tally.model!.key });
    try {
      const { faces, total } = await store.listFaces(API_KEY);
      expect(total).toBe(6);
      expect(new Map(faces.map((f) => [f.id, f.subject]))).toEqual(new Map([...withFace].map(([id, file]) => [id, file.split('/')[0]!])));
      const one = await store.getFace(API_KEY, [...withFace.keys()][0]!);
      expect(one!.meta).toMatchObject({ file: [...withFace.values()][0], model: tally.model!.key });
    } finally {
      await store.close();
    }

    // SIGTERM with nothing running: B says so and exits 0.
    b.child.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(b.lines).toContain('worker stopped');
  });

  it('SIGTERM mid-job: the running job finishes, the others wait; a rerun queues nothing new', async () => {
    // Other bytes of the same people: new jobs.
    await reencoded(1, path.join(dir, 'people', 'ann', '1-small.jpg'));
    await reencoded(3, path.join(dir, 'people', 'bob', '3-small.jpg'));
    const queued = await enroll('--json');
    expect(JSON.parse(queued.out)).toMatchObject({ jobs: 9, added: 2, already: 7 });

    const c = worker();
    await c.waitFor(/: started$/);
    c.child.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const finished = c.lines.filter((l) => /: (stored|already stored|no face)$/.test(l));
    expect(finished).toHaveLength(1);
    expect(c.lines).toContain('worker stopped');
    expect(await queue.getJobCounts('active', 'waiting', 'completed')).toEqual({ active: 0, waiting: 1, completed: 8 });

    // A job in another shape (a hand-made one): the worker fails it and goes on.
    await queue.add(ENROL_JOB, { v: 1 } as EnrolJobData, { ...ENROL_JOB_OPTIONS, jobId: 'hand-made' });
    // Another worker takes the rest; --wait follows this run's jobs and counts the store.
    const d = worker();
    const waited = await enroll('--wait', '--store', db.url);
    expect(waited.code).toBe(0);
    expect(waited.out).toMatch(/queued 0 new job\(s\) on .* \(9 photo\(s\) already queued or done/);
    expect(waited.out).toMatch(/done: 9 of 9 job\(s\) completed, 0 failed; 8 photo\(s\) with a face/);
    expect(waited.out).toMatch(/the collection holds 8 face\(s\) made with the workers' models/);
    await d.waitFor(/^warning: job hand-made : job data \.apiKey: expected a non-empty string, got nothing \(attempt 1\)$/);
    expect(await queue.getJobState('hand-made')).toBe('failed');
    d.child.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});
