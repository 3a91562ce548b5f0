// `facecore enroll --queue --wait`: follows this run's jobs until every one has finished
// (completed, or failed after its last attempt), reporting counts as they change.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { EnrolJobData, EnrolJobResult } from './enrol-job.js';

export interface JobTally {
  total: number;
  /** Finished jobs: completed + failed. */
  done: number;
  completed: number;
  failed: number;
  active: number;
  /** Waiting, or delayed before a retry. */
  queued: number;
  /** Completed jobs whose photo had a face / whose face this run of the job added to the store. */
  faces: number;
  added: number;
  noFace: number;
  failures: { file: string; reason: string }[];
  /** The model setup the workers stored faces under (from the first completed job that says). */
  model?: { key: string; dim: number };
}

const CHUNK = 200;

export async function waitForJobs(queue: Queue<EnrolJobData, EnrolJobResult>, ids: readonly string[],
  options: { pollMs?: number; onProgress?: (tally: JobTally) => void; signal?: AbortSignal } = {}): Promise<JobTally> {
  const tally: JobTally = { total: ids.length, done: 0, completed: 0, failed: 0, active: 0, queued: 0, faces: 0, added: 0, noFace: 0, failures: [] };
  let pending = [...ids];
  for (;;) {
    options.signal?.throwIfAborted();
    const still: string[] = [];
    tally.active = 0;
    tally.queued = 0;
    for (let i = 0; i < pending.length; i += CHUNK) {
      const chunk = pending.slice(i, i + CHUNK);
      const states = await Promise.all(chunk.map((id) => queue.getJobState(id)));
      for (let j = 0; j < chunk.length; j++) {
        const state = states[j]!, id = chunk[j]!;
        if (state === 'completed' || state === 'failed' || state === 'unknown') {
          await settle(queue, id, state, tally);
        } else {
          still.push(id);
          if (state === 'active') tally.active++;
          else tally.queued++;
        }
      }
    }
    pending = still;
    options.onProgress?.(tally);
    if (pending.length === 0) return tally;
    await sleep(options.pollMs ?? 500, undefined, { signal: options.signal });
  }
}

async function settle(queue: Queue<EnrolJobData, EnrolJobResult>, id: string, state: string, tally: JobTally): Promise<void> {
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
