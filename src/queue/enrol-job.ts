// An enrolment job: one photo for one subject of one collection. The photo's bytes travel in
// the job (a worker on another machine cannot read the enqueuer's paths); the job id is the
// SHA-256 of the API key and those bytes, so enqueuing the same photo again adds no job and a
// worker that runs a job twice stores its face once (the id is the store's dedup key).
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';

/** The queue `facecore enroll --queue` and `facecore worker` use unless told another. */
export const DEFAULT_QUEUE_NAME = 'facecore-enroll';

/** BullMQ job name (one kind of job per queue today). */
export const ENROL_JOB = 'enroll';

export interface EnrolJobData {
  v: 1;
  /** The collection's API key (the store hashes it; see docs/scale-out.md on Redis access). */
  apiKey: string;
  subject: string;
  /** "<subject>/<file>" as enrolled from the folder: kept in the face's meta. */
  file: string;
  /** The photo's bytes, base64. */
  photo: string;
  /** Registry names or paths of the models the enqueuer asked for; a worker with others refuses the job. */
  models: { model?: string; detector?: string };
}

/** What a finished job returns (stored in Redis with the job). */
export interface EnrolJobResult {
  /** 1 when the photo had a face (the main one is stored), else 0. */
  faces: number;
  /** Faces the store added on this run: 0 when an earlier run of the same job already stored it. */
  added: number;
  reason?: string;
  /** The worker's model setup (storeModelKey() and embedding length): the store files faces under it. */
  modelKey?: string;
  dim?: number;
}

/** SHA-256 over the key and the photo's bytes, hex; length-prefixed so no two (key, bytes) pairs collide. */
export function enrolJobId(apiKey: string, photo: Uint8Array): string {
  const key = Buffer.from(apiKey, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(key.length);
  return createHash('sha256').update('facecore-enroll-job\0').update(length).update(key).update(photo).digest('hex');
}

/**
 * Retries with exponential back-off (2 s, 4 s, 8 s, 16 s) for what may pass (the store or
 * Redis briefly away); bad photos fail at once. Finished jobs stay, so a rerun finds their ids
 * taken and adds nothing; their bytes are dropped on completion (see the worker).
 */
export const ENROL_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: false,
  removeOnFail: false,
};

function fail(field: string, expected: string, got: unknown): never {
  throw new TypeError(`job data ${field}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60)}`);
}

/** Checks a job's data as a worker receives it (another version or a hand-made job may send anything). */
export function checkEnrolJobData(data: unknown): EnrolJobData {
  if (typeof data !== 'object' || data === null) fail('', 'an object', data);
  const d = data as Partial<EnrolJobData>;
  if (d.v !== 1) fail('.v', '1', d.v);
  if (typeof d.apiKey !== 'string' || d.apiKey.length === 0) fail('.apiKey', 'a non-empty string', d.apiKey);
  if (typeof d.subject !== 'string' || d.subject.length === 0) fail('.subject', 'a non-empty string', d.subject);
  if (typeof d.file !== 'string') fail('.file', 'a string', d.file);
  if (typeof d.photo !== 'string' || d.photo.length === 0) fail('.photo', 'base64 photo bytes', d.photo === undefined ? undefined : `${d.photo}`.slice(0, 20));
  if (typeof d.models !== 'object' || d.models === null) fail('.models', 'an object', d.models);
  return d as EnrolJobData;
}
