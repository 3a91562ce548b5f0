// `facecore worker --queue redis://... --store postgres://...`: takes enrolment jobs from the
// queue, runs the face pipeline on each photo and stores its main face in PostgreSQL (the job
// id is the dedup key: a job run twice stores once). Run one per machine, or several. SIGTERM
// or Ctrl-C stops it gracefully: no new jobs, the running ones finish (or, after --grace, go
// back to the queue for another worker).
import path from 'node:path';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { storeModelKey } from '../store/model-key.js';
import { MODEL_CHOICE_USAGE, MODEL_OPTIONS, modelChoice, modelName, openAnalyzer } from './models.js';
import { printable } from './output.js';
import { connectQueue, openStore, positiveOption, QUEUE_CONNECTION_OPTIONS, QUEUE_CONNECTION_USAGE, queueArgs, storeUrl } from './queue-options.js';
import { preferThroughputGc } from './throughput-gc.js';

const USAGE = `Usage: facecore worker --queue redis://... --store postgres://... [options]

Embeds the photos 'facecore enroll <dir> --queue ...' queued: each job's main face goes into the
store under the job's collection and subject. Jobs that fail for a reason that may pass (the
store away) are retried with back-off; a worker killed mid-job loses nothing: after
--lock-timeout another worker runs the job again, and the store keeps its face once.
SIGTERM or Ctrl-C: stop taking jobs, finish the running ones (or after --grace hand them back).

Options:
${QUEUE_CONNECTION_USAGE}
  --concurrency <n>            jobs at once in this process (default 1)
  --lock-timeout <seconds>     how long a silent worker's job stays locked before another takes it (default 30)
  --grace <seconds>            on SIGTERM, how long running jobs may finish before going back (default 30)
${MODEL_CHOICE_USAGE}
  --json                       no per-job lines (stdout stays quiet)
  -h, --help                   show this help`;

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'embed queued enrolment jobs into the PostgreSQL store',
  usage: USAGE,
  options: {
    ...QUEUE_CONNECTION_OPTIONS, concurrency: { type: 'string' }, 'lock-timeout': { type: 'string' }, grace: { type: 'string' },
    model: MODEL_OPTIONS.model!, detector: MODEL_OPTIONS.detector!,
  },
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    preferThroughputGc();
    const { url, name } = queueArgs(args.values);
    const store = storeUrl(args.values);
    const concurrency = positiveOption(args.values, 'concurrency', 1, true);
    const lockDurationMs = Math.round(positiveOption(args.values, 'lock-timeout', 30, false) * 1000);
    const graceMs = Math.round(positiveOption(args.values, 'grace', 30, false) * 1000);
    const models = modelChoice(args.values, (p) => path.resolve(ctx.cwd, p));
    const out = ctx.output;
    const { startEnrolWorker } = await import('../queue/enrol-worker.js');
    const { enrolProcessor } = await import('../queue/enrol-processor.js');

    const analyzer = await openAnalyzer(models);
    const closers: (() => Promise<unknown> | void)[] = [() => analyzer.dispose()];
    try {
      const key = storeModelKey(analyzer.recognizer), label = modelName(analyzer);
      const sink = await openStore(store, { dim: analyzer.recognizer.dim, modelKey: key });
      closers.push(() => sink.close());
      const redis = await connectQueue(url, (t) => out.warn(t));
      closers.push(() => redis.disconnect());
      const stopped = stopSignal();
      // Models, store and Redis are up: jobs may start as soon as the worker exists.
      out.line(`worker ready: queue ${name}, ${concurrency} at a time, ${label}`);
      const w = startEnrolWorker(enrolProcessor({ analyzer, sink, models, modelKey: key, modelName: label }), { connection: redis, queueName: name, concurrency, lockDurationMs, graceMs });
      closers.push(() => w.stop());
      // Job data may be anything (another version, a hand-made job): never trust its shape here.
      const tag = (job: { id?: string; data?: { file?: unknown } } | undefined) => `job ${(job?.id ?? '').slice(0, 12)} ${printable(String(job?.data?.file ?? ''))}`;
      w.worker.on('active', (job) => out.line(`${tag(job)}: started`));
      w.worker.on('completed', (job, r) => out.line(`${tag(job)}: ${r.faces === 0 ? 'no face' : r.added === 1 ? 'stored' : 'already stored'}`));
      w.worker.on('failed', (job, err) => out.warn(`${tag(job)}: ${err.message} (attempt ${job?.attemptsMade ?? '?'})`));
      w.worker.on('error', (err) => out.warn(`queue: ${err.message}`));
      const signal = await stopped;
      out.line(`${signal}: stopping (running jobs finish, or go back to the queue after ${graceMs / 1000} s)`);
      await w.stop();
      out.line('worker stopped');
      return 0;
    } finally {
      for (const close of closers.reverse()) await close();
    }
  },
};
