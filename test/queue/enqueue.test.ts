// Enqueuing photos on a real Redis: one job per distinct (key, photo), whatever the reruns.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis } from '../../src/queue/connection.js';
import { checkEnrolJobData, enrolJobId, type EnrolJobData } from '../../src/queue/enrol-job.js';
import { enqueuePhotos, type PhotoToEnrol } from '../../src/queue/enqueue.js';
import { startEnrolWorker } from '../../src/queue/enrol-worker.js';
import { samplePhoto } from '../cli/photos.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';

describe('enrolJobId', () => {
  it('is the SHA-256 of the key and the bytes: same pair same id, any change another', () => {
    const bytes = Buffer.from('photo bytes');
    const id = enrolJobId('key-1', bytes);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(enrolJobId('key-1', Buffer.from('photo bytes'))).toBe(id);
    expect(enrolJobId('key-2', bytes)).not.toBe(id);
    expect(enrolJobId('key-1', Buffer.from('photo bytez'))).not.toBe(id);
    // The key is length-prefixed: moving a byte from the key to the photo changes the id.
    expect(enrolJobId('ab', Buffer.from('c'))).not.toBe(enrolJobId('a', Buffer.from('bc')));
  });
});

describe('checkEnrolJobData', () => {
  const good: EnrolJobData = { v: 1, apiKey: 'k', subject: 's', file: 's/a.jpg', photo: 'AAAA', models: {} };
  it('passes a well-formed job and names the field of a bad one', () => {
    expect(checkEnrolJobData(good)).toBe(good);
    expect(() => checkEnrolJobData(null)).toThrow(TypeError);
    expect(() => checkEnrolJobData({ ...good, v: 2 })).toThrow(/job data \.v: expected 1, got 2/);
    expect(() => checkEnrolJobData({ ...good, subject: '' })).toThrow(/\.subject: expected a non-empty string/);
    expect(() => checkEnrolJobData({ ...good, photo: 7 })).toThrow(/\.photo: expected base64 photo bytes/);
    expect(() => checkEnrolJobData({ ...good, models: undefined })).toThrow(/\.models: expected an object, got nothing/);
  });
});

describe.skipIf(!(await hasRedis()))('enqueuePhotos on Redis', () => {
  let redis: Redis, dir = '';
  const names: string[] = [];
  let photos: PhotoToEnrol[] = [];
  beforeAll(async () => {
    redis = await openRedis(redisUrl);
    dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-enqueue-'));
    const put = (subject: string, file: string, from: string) => {
      mkdirSync(path.join(dir, subject), { recursive: true });
      copyFileSync(from, path.join(dir, subject, file));
      return { path: path.join(dir, subject, file), subject, file: `${subject}/${file}` };
    };
    photos = [put('ann', '1.jpg', samplePhoto(1)), put('ann', '2.jpg', samplePhoto(2)), put('bob', '1.jpg', samplePhoto(3)),
      // The same bytes under another name: one photo, one job.
      put('bob', 'copy.jpg', samplePhoto(3))];
  });
  afterAll(async () => {
    for (const name of names) await removeQueue(redis, name);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  function queueFor(tag: string): Queue<EnrolJobData> {
    const name = testQueueName(tag);
    names.push(name);
    return new Queue<EnrolJobData>(name, { connection: redis });
  }

  it('adds one job per distinct photo; a rerun adds none', async () => {
    const queue = queueFor('enqueue');
    const first = await enqueuePhotos(queue, 'key-a', photos, { models: { model: 'foamliu-mobilefacenet' } });
    expect(first).toMatchObject({ added: 3, already: 1, retried: 0, unreadable: [] });
    expect(first.ids).toHaveLength(3);
    const again = await enqueuePhotos(queue, 'key-a', photos);
    expect(again).toMatchObject({ added: 0, already: 4, retried: 0 });
    expect(again.ids).toEqual(first.ids);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toEqual({ waiting: 3, active: 0, delayed: 0, completed: 0, failed: 0 });

    const job = await queue.getJob(first.ids[0]!);
    expect(job!.data).toMatchObject({ v: 1, apiKey: 'key-a', subject: 'ann', file: 'ann/1.jpg', models: { model: 'foamliu-mobilefacenet' } });
    expect(enrolJobId('key-a', Buffer.from(job!.data.photo, 'base64'))).toBe(job!.id);
    expect(job!.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
    await queue.close();
  });

  it('gives another collection its own jobs for the same photos', async () => {
    const queue = queueFor('keys');
    const a = await enqueuePhotos(queue, 'key-a', photos);
    const b = await enqueuePhotos(queue, 'key-b', photos);
    expect(b.added).toBe(3);
    expect(new Set([...a.ids, ...b.ids]).size).toBe(6);
    await queue.close();
  });

  it('pauses while the queue holds maxQueued waiting jobs, going on as a worker drains it', async () => {
    const queue = queueFor('backlog');
    const worker = startEnrolWorker(async (_j: Job<EnrolJobData>, _t?: string, _s?: AbortSignal) => {
      await sleep(150);
      return { faces: 1, added: 1 };
    }, { connection: redis, queueName: queue.name });
    const waiting: number[] = [];
    const t0 = Date.now();
    const summary = await enqueuePhotos(queue, 'key-c', photos, { maxQueued: 1, pollMs: 20, concurrency: 1, onDone: () => void queue.getWaitingCount().then((n) => waiting.push(n)) });
    const took = Date.now() - t0;
    await worker.stop();
    expect(summary.added).toBe(3);
    expect(Math.max(...waiting)).toBeLessThanOrEqual(1);
    // Three jobs through one slot: at least the first job's processing was waited out.
    expect(took).toBeGreaterThanOrEqual(150);
    await expect(enqueuePhotos(queue, 'key-c', photos, { maxQueued: 0 })).rejects.toThrow(/options\.maxQueued: expected an integer >= 1, got 0/);
  });

  it('counts an unreadable photo and goes on', async () => {
    const queue = queueFor('unreadable');
    const gone = { path: path.join(dir, 'nobody', 'gone.jpg'), subject: 'nobody', file: 'nobody/gone.jpg' };
    const summary = await enqueuePhotos(queue, 'key-a', [gone, photos[0]!]);
    expect(summary.added).toBe(1);
    expect(summary.unreadable).toEqual([{ file: 'nobody/gone.jpg', reason: expect.stringMatching(/ENOENT/) }]);
    await queue.close();
  });
});
