// `facecore enroll --queue --wait`: follows this run's jobs until every one has finished
// (completed, or failed after its last attempt), reporting counts as they change. Finishes are
// heard on the queue's event stream (QueueEvents), so a big run costs Redis a lookup per
// finished job, not one per pending job per poll; a full pass every few seconds covers events
// the stream may have trimmed.
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueEvents, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EnrolJobData, EnrolJobResult } from './enrol-job.js';

export interface JobTally {
  total: number;
  /** Finished jobs: completed + failed. */
  done: number;
  completed: number;
  failed: number;
  /** Jobs running / waiting or delayed before a retry, in the whole queue. */
  active: number;
  queued: number;
  /** Completed jobs whose photo had a face / whose face this run of the job added to the store. */
  faces: number;
  added: number;
  noFace: number;
  failures: { file: string; reason: string }[];
  /** The model setup the workers stored faces under (from the first completed job that says). */
  model?: { key: string; dim: number };
}

export interface WaitOptions {
  /** The queue's Redis (duplicated for the event stream, which blocks its connection). */
  connection: Redis;
  /** Least time between two looks (default 500 ms). */
  pollMs?: number;
  /** Time between full passes over every pending job (default 5 s). */
  fullPassMs?: number;
  onProgress?: (tally: JobTally) => void;
  signal?: AbortSignal;
}

const CHUNK = 200;
type EnrolQueue = Queue<EnrolJobData, EnrolJobResult>;

export async function waitForJobs(queue: EnrolQueue, ids: readonly string[], options: WaitOptions): Promise<JobTally> {
  const tally: JobTally = { total: ids.length, done: 0, completed: 0, failed: 0, active: 0, queued: 0, faces: 0, added: 0, noFace: 0, failures: [] };
  const pending = new Set(ids);
  const heard = new Set<string>();
  // Read the event stream from its present end, fixed now: QueueEvents' default ('$', taken at
  // its first read) would miss what happens between here and then.
  const [last] = await options.connection.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1);
  const connection = options.connection.duplicate();
  const events = new QueueEvents(queue.name, { connection, prefix: queue.opts.prefix, lastEventId: last?.[0] ?? '0-0' });
  const hear = ({ jobId }: { jobId: string }) => {
    if (pending.has(jobId)) heard.add(jobId);
  };
  events.on('completed', hear);
  events.on('failed', hear);
  try {
    await events.waitUntilReady();
    let lastFullPass = -Infinity;
    for (;;) {
      options.signal?.throwIfAborted();
      // Listening from before the first pass: a job finishing in between is seen by one or the other.
      const full = performance.now() - lastFullPass >= (options.fullPassMs ?? 5000);
      const look = full ? [...pending] : [...heard];
      heard.clear();
      if (full) lastFullPass = performance.now();
      await settleFinished(queue, look, pending, tally);
      const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      tally.active = counts.active ?? 0;
      tally.queued = (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
      options.onProgress?.(tally);
      if (pending.size === 0) return tally;
      await sleep(options.pollMs ?? 500, undefined, { signal: options.signal });
    }
  } finally {
    await events.close();
    connection.disconnect();
  }
}

async function settleFinished(queue: EnrolQueue, ids: string[], pending: Set<string>, tally: JobTally): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK).filter((id) => pending.has(id));
    const states = await Promise.all(chunk.map((id) => queue.getJobState(id)));
    for (let j = 0; j < chunk.length; j++) {
      const state = states[j]!, id = chunk[j]!;
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
      pending.delete(id);
      await settle(queue, id, state, tally);
    }
  }
}

async function settle(queue: EnrolQueue, id: string, state: string, tally: JobTally): Promise<void> {
  tally.done++;
  const job = state === 'unknown' ? undefined : await queue.getJob(id);
  if (!job) {
    tally.failed++;
    tally.failures.push({ file: id, reason: 'the job was removed from the queue' });
  } else if (state === 'failed') {
    tally.failed++;
    tally.failures.push({ file: job.data.file, reason: job.failedReason });
  } else {
    tally.completed++;
    const result = job.returnvalue;
    tally.faces += result?.faces ?? 0;
    tally.added += result?.added ?? 0;
    if (result?.faces === 0) tally.noFace++;
    if (!tally.model && result?.modelKey !== undefined && result.dim !== undefined) tally.model = { key: result.modelKey, dim: result.dim };
  }
}
