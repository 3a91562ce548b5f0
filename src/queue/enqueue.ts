// `facecore enroll --queue`: one job per photo. Enqueuing is idempotent through the job id
// (BullMQ ignores an add whose id exists), so a rerun adds only new photos; a photo whose job
// failed before is retried.
import { readFile } from 'node:fs/promises';
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

export async function enqueuePhotos(queue: Queue, apiKey: string, photos: readonly PhotoToEnrol[], models: EnrolJobData['models'] = {},
  onDone?: (done: number) => void): Promise<EnqueueSummary> {
  const summary: EnqueueSummary = { ids: [], added: 0, already: 0, retried: 0, unreadable: [] };
  const seen = new Set<string>();
  let done = 0;
  for (const photo of photos) {
    let bytes: Buffer;
    try {
      bytes = await readFile(photo.path);
    } catch (err) {
      summary.unreadable.push({ file: photo.file, reason: (err as Error).message });
      onDone?.(++done);
      continue;
    }
    const id = enrolJobId(apiKey, bytes);
    if (seen.has(id)) {
      summary.already++;
      onDone?.(++done);
      continue;
    }
    seen.add(id);
    summary.ids.push(id);
    const state = await queue.getJobState(id);
    if (state === 'unknown') {
      const data: EnrolJobData = { v: 1, apiKey, subject: photo.subject, file: photo.file, photo: bytes.toString('base64'), models };
      await queue.add(ENROL_JOB, data, { ...ENROL_JOB_OPTIONS, jobId: id });
      summary.added++;
    } else if (state === 'failed') {
      await (await queue.getJob(id))?.retry('failed');
      summary.retried++;
    } else {
      summary.already++;
    }
    onDone?.(++done);
  }
  return summary;
}
