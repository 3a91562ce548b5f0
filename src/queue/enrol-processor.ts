// What a worker does with one enrolment job: decode and analyse the photo, keep its main face
// (the rule `facecore enroll` uses), and store it under the job id as the dedup key, so a job
// that runs twice (its worker died after storing, before BullMQ heard) stores its face once.
import { UnrecoverableError, WaitingError, type Job, type Processor } from 'bullmq';
import type { FaceAnalyzer } from '../pipeline/face-analyzer.js';
import { mainFace } from '../pipeline/main-face.js';
import type { PostgresStore } from '../store/postgres-store.js';
import { checkEnrolJobData, type EnrolJobData, type EnrolJobResult } from './enrol-job.js';

/** Where workers put faces: PostgresStore, whose addFaces is idempotent under a dedup key. */
export type FaceSink = Pick<PostgresStore, 'addFaces'>;

export interface EnrolProcessorOptions {
  analyzer: FaceAnalyzer;
  sink: FaceSink;
  /** The --model/--detector this worker loaded (compared with what each job asks for). */
  models: EnrolJobData['models'];
  /** storeModelKey() and modelName() of the loaded models, kept in each face's meta as `facecore enroll` does. */
  modelKey: string;
  modelName: string;
}

// Progress marks (percent) a watcher sees: received, analysed, stored.
const RECEIVED = 10, ANALYSED = 70, STORED = 100;

/** Gives the job back to the queue (another worker takes it) when the worker is told to stop. */
export async function handBackIfStopping(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (!signal?.aborted) return;
  await job.moveToWait(token);
  throw new WaitingError(`job ${job.id} handed back: ${String(signal.reason ?? 'worker stopping')}`);
}

export function enrolProcessor(options: EnrolProcessorOptions): Processor<EnrolJobData, EnrolJobResult> {
  const { analyzer, sink, models } = options;
  const model = { modelKey: options.modelKey, dim: analyzer.recognizer.dim };
  // Three parameters: BullMQ passes the abort signal only to processors that declare it.
  return async (job: Job<EnrolJobData, EnrolJobResult>, token?: string, signal?: AbortSignal): Promise<EnrolJobResult> => {
    let data: EnrolJobData;
    try {
      data = checkEnrolJobData(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    for (const k of ['model', 'detector'] as const) {
      if (data.models[k] !== undefined && data.models[k] !== models[k]) {
        throw new UnrecoverableError(`job asks for --${k} ${data.models[k]} but this worker runs ${models[k] ?? 'the default'}: start a worker with it`);
      }
    }
    await handBackIfStopping(job, token, signal);
    await job.updateProgress(RECEIVED);
    let faces;
    try {
      faces = await analyzer.analyze(Buffer.from(data.photo, 'base64'));
    } catch (err) {
      // A photo that does not decode will not decode on a retry either.
      throw new UnrecoverableError(`unreadable image ${data.file}: ${(err as Error).message.split('\n')[0]}`);
    }
    await job.updateProgress(ANALYSED);
    await handBackIfStopping(job, token, signal);
    const face = mainFace(faces, faces.width, faces.height);
    if (!face) {
      await job.updateProgress(STORED);
      return { faces: 0, added: 0, reason: 'no face', ...model };
    }
    const meta = { file: data.file, model: options.modelKey, modelName: options.modelName, box: face.box.map((x) => Math.round(x)) };
    const { added } = await sink.addFaces(data.apiKey, [{ id: job.id!, subject: data.subject, vector: face.embedding, meta }], { dedupKey: job.id! });
    await job.updateProgress(STORED);
    return { faces: 1, added, ...model };
  };
}
