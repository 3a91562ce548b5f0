// `facecore enroll --queue`: one job per photo. Enqueuing is idempotent through the job id
// (BullMQ ignores an add whose id exists), so a rerun adds only new photos; a photo whose job
// failed before is retried. The backlog is bounded: jobs carry their photos, Redis keeps them in memory.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { ENROL_JOB, ENROL_JOB_OPTIONS, enrolJobId, type EnrolJobData } from './enrol-job.js';

export interface PhotoToEnrol {
  /** Where to read it. */
  path: string;
  subject: string;
  /** "<subject>/<file>", the name the face keeps in its meta. */
  file: string;
}

export interface EnqueueSummary {
  /** This run's job ids, one per distinct photo, in input order. */
  ids: string[];
  /** Jobs added now. */
  added: number;
  /** Photos whose job was already queued, running or done. */
  already: number;
  /** Photos whose earlier job had failed: sent back to the queue. */
  retried: number;
  /** Photos that could not be read. */
  unreadable: { file: string; reason: string }[];
}

export interface EnqueueOptions {
  models?: EnrolJobData['models'];
  /** Called after each photo with the count so far. */
  onDone?: (done: number) => void;
  /**
   * Jobs waiting in the queue above which enqueuing pauses until workers catch up (default
   * 2000): queued jobs hold their photos in Redis memory, so a large folder is fed gradually.
   * Approximate: the backlog may exceed it by up to `concurrency` jobs.
   */
  maxQueued?: number;
  /** How often a paused enqueue looks again (default 500 ms). */
  pollMs?: number;
  /** Photos read and queued at once (default 4). */
  concurrency?: number;
}

// The backlog is counted before the first add and then every this many (a count is one round trip).
const CHECK_EVERY = 50;

async function waitForRoom(queue: Queue, maxQueued: number, pollMs: number): Promise<void> {
  while ((await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed')) >= maxQueued) await sleep(pollMs);
}

export async function enqueuePhotos(queue: Queue, apiKey: string, photos: readonly PhotoToEnrol[], options: EnqueueOptions = {}): Promise<EnqueueSummary> {
  const { models = {}, onDone, maxQueued = 2000, pollMs = 500, concurrency = 4 } = options;
  if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new RangeError(`options.maxQueued: expected an integer >= 1, got ${maxQueued}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`options.concurrency: expected an integer >= 1, got ${concurrency}`);
  const summary: EnqueueSummary = { ids: [], added: 0, already: 0, retried: 0, unreadable: [] };
  const idAt: (string | undefined)[] = new Array(photos.length);
  const seen = new Set<string>();
  let next = 0, done = 0, sinceCheck = Infinity;
  let room: Promise<void> | undefined;

  const one = async (photo: PhotoToEnrol, i: number) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(photo.path);
    } catch (err) {
      summary.unreadable.push({ file: photo.file, reason: (err as Error).message });
      return;
    }
    const id = enrolJobId(apiKey, bytes);
    if (seen.has(id)) {
      summary.already++;
      return;
    }
    seen.add(id);
    idAt[i] = id;
    const state = await queue.getJobState(id);
    if (state === 'unknown') {
      if (++sinceCheck >= Math.min(CHECK_EVERY, maxQueued)) {
        sinceCheck = 0;
        room = waitForRoom(queue, maxQueued, pollMs);
      }
      await room;
      const data: EnrolJobData = { v: 1, apiKey, subject: photo.subject, file: photo.file, photo: bytes.toString('base64'), models };
      await queue.add(ENROL_JOB, data, { ...ENROL_JOB_OPTIONS, jobId: id });
      summary.added++;
    } else if (state === 'failed') {
      await (await queue.getJob(id))?.retry('failed');
      summary.retried++;
    } else {
      summary.already++;
    }
  };
  // A few photos at once: reading, hashing and the Redis round trips overlap.
  await Promise.all(Array.from({ length: Math.min(concurrency, photos.length) }, async () => {
    while (next < photos.length) {
      const i = next++;
      await one(photos[i]!, i);
      onDone?.(++done);
    }
  }));
  for (const id of idAt) if (id !== undefined) summary.ids.push(id);
  return summary;
}
