// `facecore enroll <dir> --queue redis://... --api-key K [--wait]`: one job per photo for
// `facecore worker` processes; with --wait, progress until this run's jobs have finished.
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { CliContext, OptionSpec, ParsedArgs } from './command.js';
import { modelChoice, type ModelChoice } from './models.js';
import { CliError, UsageError } from './output.js';
import { connectQueue, openStore, positiveOption, QUEUE_CONNECTION_OPTIONS, QUEUE_CONNECTION_USAGE, queueArgs, storeUrl } from './queue-options.js';

export const QUEUE_OPTIONS: OptionSpec = {
  ...QUEUE_CONNECTION_OPTIONS,
  'api-key': { type: 'string' },
  wait: { type: 'boolean' },
  'max-queued': { type: 'string' },
};

export const QUEUE_USAGE = `${QUEUE_CONNECTION_USAGE}
  --api-key <key>              the collection to enrol into (with --queue)
  --wait                       follow the jobs until all have finished, then print the counts
  --max-queued <n>             pause queueing while n jobs wait (default 2000: queued photos live in Redis memory)`;

export interface IdentityPhotos {
  /** <dir> as given, and resolved. */
  dirArg: string;
  dir: string;
  /** Photos as paths relative to <dir>, each inside an identity folder. */
  work: string[];
}

/** Non-TTY progress: a line at most this often (logs stay readable on long runs). */
const LINE_EVERY_MS = 5000;

export interface QueueEnrolArgs {
  url: string;
  name: string;
  apiKey: string;
  models: ModelChoice;
  wait: boolean;
  maxQueued: number;
  /** With --wait: the store to count the collection's faces in afterwards. */
  store?: string;
}

/** Checks the --queue path's options (before the folder is read). */
export function queueEnrolArgs(args: ParsedArgs, ctx: CliContext): QueueEnrolArgs {
  const { url, name } = queueArgs(args.values);
  const apiKey = args.values['api-key'] as string | undefined;
  if (!apiKey) throw new UsageError('missing --api-key <key> (the collection the faces go to)');
  if (args.values.storage !== undefined) throw new UsageError('--storage applies to a local --index; the store fixes its own');
  const store = args.values.store === undefined ? undefined : storeUrl(args.values);
  const maxQueued = positiveOption(args.values, 'max-queued', 2000, true);
  return { url, name, apiKey, models: modelChoice(args.values, (p) => path.resolve(ctx.cwd, p)), wait: args.values.wait === true, maxQueued, store };
}

export async function enrollThroughQueue({ url, name, apiKey, models, wait, maxQueued, store }: QueueEnrolArgs, ctx: CliContext, photos: IdentityPhotos): Promise<number> {
  const out = ctx.output;
  const { Queue } = await import('bullmq');
  const { enqueuePhotos } = await import('../queue/enqueue.js');
  const redis: Redis = await connectQueue(url, (t) => out.warn(t));
  const queue = new Queue(name, { connection: redis });
  try {
    const list = photos.work.map((rel) => {
      const file = rel.split(path.sep).join('/');
      return { path: path.join(photos.dir, rel), subject: file.slice(0, file.indexOf('/')), file };
    });
    const bar = out.progress('queueing', list.length);
    const queued = await enqueuePhotos(queue, apiKey, list, { models: { model: models.model, detector: models.detector }, onDone: (n) => bar.update(n), maxQueued });
    bar.done();
    for (const u of queued.unreadable) out.warn(`skipped: cannot read ${path.join(photos.dirArg, u.file)}: ${u.reason}`);
    if (queued.ids.length === 0) throw new CliError(`nothing queued: none of the ${list.length} photos under ${photos.dirArg} could be read`);
    out.line(`queued ${queued.added} new job(s) on ${name} (${queued.already} photo(s) already queued or done, ${queued.retried} failed before: retried)`);
    if (!wait) {
      out.result({ queue: name, photos: list.length, jobs: queued.ids.length, added: queued.added, already: queued.already, retried: queued.retried, unreadable: queued.unreadable });
      return 0;
    }
    const tally = await followJobs(queue, redis, queued.ids, ctx);
    for (const f of tally.failures) out.warn(`failed: ${f.file}: ${f.reason}`);
    if (tally.completed === 0) throw new CliError(`nothing enrolled: all ${tally.total} job(s) failed`);
    const storeFaces = store && tally.model ? await facesInStore(store, apiKey, tally.model) : undefined;
    out.result({ queue: name, photos: list.length, jobs: queued.ids.length, added: queued.added, already: queued.already, retried: queued.retried,
      unreadable: queued.unreadable, completed: tally.completed, failed: tally.failed, faces: tally.faces, storedNow: tally.added, noFace: tally.noFace,
      failures: tally.failures, storeFaces });
    out.line(`done: ${tally.completed} of ${tally.total} job(s) completed, ${tally.failed} failed; ${tally.faces} photo(s) with a face in the store` +
      ` (${tally.added} stored by this run's jobs), ${tally.noFace} without a face`);
    if (storeFaces !== undefined) out.line(`the collection holds ${storeFaces} face(s) made with the workers' models`);
    return 0;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function facesInStore(url: string, apiKey: string, model: { key: string; dim: number }): Promise<number> {
  const store = await openStore(url, { dim: model.dim, modelKey: model.key });
  try {
    return (await store.listFaces(apiKey, { limit: 0 })).total;
  } finally {
    await store.close();
  }
}

/** Waits for the jobs with a bar on a TTY, a line every few seconds otherwise. */
async function followJobs(queue: import('bullmq').Queue, redis: Redis, ids: string[], ctx: CliContext) {
  const { waitForJobs } = await import('../queue/wait.js');
  const out = ctx.output;
  const bar = out.progress('enrolling', ids.length);
  let lastLine = 0;
  const tally = await waitForJobs(queue, ids, {
    connection: redis,
    onProgress(t) {
      bar.update(t.done);
      if (out.drawsBars || Date.now() - lastLine < LINE_EVERY_MS) return;
      lastLine = Date.now();
      out.line(`enrolling: ${t.done}/${t.total} done (${t.active} running, ${t.queued} queued, ${t.failed} failed)`);
    },
  });
  bar.done();
  return tally;
}
