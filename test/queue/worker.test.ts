// The worker's queue side on a real Redis: retries with exponential back-off, a job that cannot
// succeed failing at once, progress while waiting, and the graceful stop (finish, or hand back
// after the grace time). The processors here are plain functions; the face pipeline and the
// store are exercised by worker-kill.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedis } from '../../src/queue/connection.js';
import { ENROL_JOB, ENROL_JOB_OPTIONS, type EnrolJobData, type EnrolJobResult } from '../../src/queue/enrol-job.js';
import { handBackIfStopping } from '../../src/queue/enrol-processor.js';
import { startEnrolWorker, type EnrolWorker } from '../../src/queue/enrol-worker.js';
import { waitForJobs, type JobTally } from '../../src/queue/wait.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';

const job = (file: string): EnrolJobData => ({ v: 1, apiKey: 'k', subject: file.split('/')[0]!, file, photo: Buffer.from(file).toString('base64'), models: {} });

describe.skipIf(!(await hasRedis()))('the enrolment worker on Redis', () => {
  let redis: Redis;
  let name = '', queue: Queue<EnrolJobData, EnrolJobResult>;
  const workers: EnrolWorker[] = [];
  beforeAll(async () => {
    redis = await openRedis(redisUrl);
  });
  afterAll(() => redis.disconnect());
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await queue.close();
    await removeQueue(redis, name);
  });
  function newQueue(tag: string) {
    name = testQueueName(tag);
    queue = new Queue<EnrolJobData, EnrolJobResult>(name, { connection: redis });
    return queue;
  }
  const add = (id: string, data: EnrolJobData) => queue.add(ENROL_JOB, data, { ...ENROL_JOB_OPTIONS, jobId: id });

  it('retries a failing job after the back-off, fails an unrecoverable one at once, and reports progress', async () => {
    newQueue('retry');
    await add('flaky', job('ann/flaky.jpg'));
    await add('broken', job('bob/broken.jpg'));
    const starts: number[] = [];
    let failedAt = 0;
    workers.push(startEnrolWorker(async (j: Job<EnrolJobData>, _token?: string, _signal?: AbortSignal) => {
      if (j.id === 'broken') throw new UnrecoverableError('unreadable image bob/broken.jpg');
      starts.push(Date.now());
      await j.updateProgress(50);
      if (j.attemptsMade === 0) {
        failedAt = Date.now();
        throw new Error('store unreachable');
      }
      return { faces: 1, added: 1 };
    }, { connection: redis, queueName: name }));
    const seen: JobTally[] = [];
    // No full pass after the first: every finish later than that must be heard on the event stream.
    const tally = await waitForJobs(queue, ['flaky', 'broken'], { connection: redis, pollMs: 100, fullPassMs: 600_000, onProgress: (t) => seen.push({ ...t }) });
    expect(tally).toMatchObject({ total: 2, done: 2, completed: 1, failed: 1, faces: 1, added: 1, noFace: 0 });
    expect(tally.failures).toEqual([{ file: 'bob/broken.jpg', reason: 'unreadable image bob/broken.jpg' }]);
    expect(starts).toHaveLength(2);
    // Exponential back-off, first delay 2 s (BullMQ may add its own polling slack, never less).
    expect(starts[1]! - failedAt).toBeGreaterThanOrEqual(2000);
    expect((await queue.getJob('flaky'))!.attemptsMade).toBe(2);
    expect((await queue.getJob('broken'))!.attemptsMade).toBe(1);
    // Progress: the finished count never goes down, and the flaky job sat queued (delayed) meanwhile.
    expect(seen.map((t) => t.done)).toEqual([...seen.map((t) => t.done)].sort((a, b) => a - b));
    expect(seen.some((t) => t.done === 1 && t.queued + t.active === 1)).toBe(true);
  });

  it('drops a finished job\'s key and photo from Redis but keeps the job, so its id stays taken', async () => {
    newQueue('drop');
    await add('one', job('ann/one.jpg'));
    const w = startEnrolWorker(async (_j: Job<EnrolJobData>, _t?: string, _s?: AbortSignal) => ({ faces: 0, added: 0, reason: 'no face' }), { connection: redis, queueName: name });
    workers.push(w);
    const done = new Promise((resolve) => w.worker.once('completed', resolve));
    await waitForJobs(queue, ['one'], { connection: redis, pollMs: 50 });
    await done;
    await sleep(100);
    const kept = await queue.getJob('one');
    expect(kept!.data).toMatchObject({ apiKey: '', photo: '', file: 'ann/one.jpg' });
    expect(kept!.returnvalue).toEqual({ faces: 0, added: 0, reason: 'no face' });
  });

  it('stop() lets the running job finish and takes no new one', async () => {
    newQueue('stop');
    await add('a', job('ann/a.jpg'));
    await add('b', job('ann/b.jpg'));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const w = startEnrolWorker(async (_j: Job<EnrolJobData>, _t?: string, _s?: AbortSignal) => {
      started();
      await sleep(600);
      return { faces: 1, added: 1 };
    }, { connection: redis, queueName: name });
    await running;
    await w.stop();
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
    expect(counts).toEqual({ waiting: 1, active: 0, completed: 1, failed: 0 });
  });

  it('stop() hands a job still running after the grace time back to the queue, where another worker finishes it', async () => {
    newQueue('handback');
    await add('slow', job('ann/slow.jpg'));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = startEnrolWorker(async (j: Job<EnrolJobData>, token?: string, signal?: AbortSignal) => {
      started();
      while (!signal?.aborted) await sleep(20);
      await handBackIfStopping(j, token, signal);
      return { faces: 1, added: 1 };
    }, { connection: redis, queueName: name, graceMs: 200 });
    await running;
    const t0 = Date.now();
    await first.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await queue.getJobState('slow')).toBe('waiting');
    expect((await queue.getJob('slow'))!.attemptsMade).toBe(0);
    workers.push(startEnrolWorker(async (_j: Job<EnrolJobData>, _t?: string, _s?: AbortSignal) => ({ faces: 1, added: 1 }), { connection: redis, queueName: name }));
    expect(await waitForJobs(queue, ['slow'], { connection: redis, pollMs: 50 })).toMatchObject({ completed: 1, failed: 0 });
  });
});
