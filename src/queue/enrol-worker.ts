// A BullMQ worker on the enrolment queue. A worker that dies (kill -9, a lost machine) stops
// renewing its jobs' locks; after `lockDurationMs` another worker's stalled-job check puts
// them back in the queue. stop() is the graceful end (SIGTERM): no new jobs, the current ones
// finish, and any still running after `graceMs` are handed back to the queue.
import { Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EnrolJobData, EnrolJobResult } from './enrol-job.js';

export interface EnrolWorkerOptions {
  connection: Redis;
  queueName: string;
  /** Jobs at once in this process (default 1: one analysis already uses the cores). */
  concurrency?: number;
  /** How long a job stays locked to a silent worker (default 30 s); stalled checks run as often. */
  lockDurationMs?: number;
  /** How long stop() lets running jobs finish before handing them back (default 30 s). */
  graceMs?: number;
}

export interface EnrolWorker {
  readonly worker: Worker<EnrolJobData, EnrolJobResult>;
  stop(): Promise<void>;
}

/** Empties a finished job's key and photo (kept for its id, so a rerun adds nothing): Redis keeps only what it needs. */
async function dropPayload(job: Job<EnrolJobData, EnrolJobResult>): Promise<void> {
  await job.updateData({ ...job.data, apiKey: '', photo: '' });
}

export function startEnrolWorker(processor: Processor<EnrolJobData, EnrolJobResult>, options: EnrolWorkerOptions): EnrolWorker {
  const lockDuration = options.lockDurationMs ?? 30_000;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency: expected an integer >= 1, got ${concurrency}`);
  if (!(lockDuration >= 100)) throw new RangeError(`lockDurationMs: expected >= 100 ms, got ${lockDuration}`);
  const worker = new Worker<EnrolJobData, EnrolJobResult>(options.queueName, processor, {
    connection: options.connection,
    concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    // A job whose worker died three times is suspect (a photo that kills the process): fail it
    // (BullMQ fails a job once it has stalled more than maxStalledCount times).
    maxStalledCount: 2,
  });
  worker.on('completed', (job) => {
    dropPayload(job).catch((err) => worker.emit('error', err));
  });
  let stopping: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopping ??= (async () => {
        const handBack = setTimeout(() => worker.cancelAllJobs('worker stopping'), options.graceMs ?? 30_000);
        try {
          await worker.close();
        } finally {
          clearTimeout(handBack);
        }
      })();
      return stopping;
    },
  };
}
