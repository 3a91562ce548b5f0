// `facecore enroll <dir> --queue ...` in-process on a real Redis: usage errors, enqueuing a
// folder idempotently, and --wait's progress (bar on a TTY, lines otherwise) while a worker runs.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openRedis } from '../../src/queue/connection.js';
import type { EnrolJobData } from '../../src/queue/enrol-job.js';
import { startEnrolWorker } from '../../src/queue/enrol-worker.js';
import { capture, runIn } from '../cli/capture.js';
import { samplePhoto } from '../cli/photos.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';

describe('facecore enroll --queue: usage', () => {
  it('names what is wrong before connecting', async () => {
    const dir = os.tmpdir();
    expect((await runIn(dir, 'enroll', '.', '--queue', 'redis://x', '--index', 'g.fci')).err).toMatch(/--index and --queue: give one/);
    expect((await runIn(dir, 'enroll', '.', '--queue', 'http://x', '--api-key', 'k')).err).toMatch(/--queue: expected a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/x"/);
    expect((await runIn(dir, 'enroll', '.', '--queue', 'redis://x', '--queue-name', 'a:b', '--api-key', 'k')).err).toMatch(/--queue-name: expected 1-100 letters/);
    const noKey = await runIn(dir, 'enroll', '.', '--queue', 'redis://x');
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/missing --api-key/);
  });
});

describe.skipIf(!(await hasRedis()))('facecore enroll --queue on Redis', () => {
  let redis: Redis, dir = '';
  const names: string[] = [];
  beforeAll(async () => {
    redis = await openRedis(redisUrl);
    dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-enroll-queue-'));
    for (const [subject, i] of [['ann', 1], ['ann', 2], ['bob', 3]] as const) {
      mkdirSync(path.join(dir, 'people', subject), { recursive: true });
      copyFileSync(samplePhoto(i), path.join(dir, 'people', subject, `${i}.jpg`));
    }
  });
  afterAll(async () => {
    for (const name of names) await removeQueue(redis, name);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  const newName = (tag: string) => {
    const name = testQueueName(tag);
    names.push(name);
    return name;
  };

  it('queues a job per photo; a rerun queues none', async () => {
    const name = newName('cli');
    const first = await runIn(dir, 'enroll', 'people', '--queue', redisUrl, '--queue-name', name, '--api-key', 'k1', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ queue: name, photos: 3, jobs: 3, added: 3, already: 0 });
    const again = await runIn(dir, 'enroll', 'people', '--queue', redisUrl, '--queue-name', name, '--api-key', 'k1');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/queued 0 new job\(s\) on .* \(3 photo\(s\) already queued or done, 0 failed before: retried\)/);
  });

  it('--wait follows the jobs to the end: lines without a TTY, a bar on one', async () => {
    for (const tty of [false, true]) {
      const name = newName(tty ? 'tty' : 'lines');
      const w = startEnrolWorker(async (job: Job<EnrolJobData>, _t?: string, _s?: AbortSignal) => {
        await sleep(300);
        return job.data.subject === 'bob' ? { faces: 0, added: 0, reason: 'no face' } : { faces: 1, added: 1 };
      }, { connection: redis, queueName: name });
      const c = capture({ tty });
      const code = await main(['enroll', 'people', '--queue', redisUrl, '--queue-name', name, '--api-key', 'k1', '--wait'], { ...c, cwd: dir });
      await w.stop();
      expect(code).toBe(0);
      expect(c.out()).toMatch(/done: 3 of 3 job\(s\) completed, 0 failed; 2 photo\(s\) with a face in the store \(2 stored by this run's jobs\), 1 without a face/);
      if (tty) expect(c.err()).toMatch(/\renrolling \[#*-*\] 0\/3[^]*\renrolling \[#+\] 3\/3/);
      else expect(c.out()).toMatch(/^enrolling: [0-3]\/3 done \(\d running, \d queued, 0 failed\)$/m);
    }
  });
});
