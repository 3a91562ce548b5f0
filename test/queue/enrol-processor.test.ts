// The enrolment processor with the real face pipeline and PostgresStore: a job run twice (a
// worker that died after storing, before BullMQ heard) stores its face once; jobs that cannot
// succeed (an undecodable photo, other models, malformed data) fail without retries.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelKey, modelName } from '../../src/cli/models.js';
import { FaceAnalyzer } from '../../src/pipeline/face-analyzer.js';
import { mainFace } from '../../src/pipeline/main-face.js';
import { openRedis } from '../../src/queue/connection.js';
import { ENROL_JOB, type EnrolJobData, type EnrolJobResult } from '../../src/queue/enrol-job.js';
import { enqueuePhotos } from '../../src/queue/enqueue.js';
import { enrolProcessor } from '../../src/queue/enrol-processor.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { samplePhoto } from '../cli/photos.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { hasRedis, redisUrl, removeQueue, testQueueName } from '../helpers/redis.js';

describe.skipIf(!(await hasRedis()) || !hasPostgres)('enrolProcessor with FaceAnalyzer and PostgresStore', () => {
  let redis: Redis, db: TestDatabase, analyzer: FaceAnalyzer, store: PostgresStore, dir = '';
  let queue: Queue<EnrolJobData, EnrolJobResult>;
  const name = testQueueName('processor');
  let processor: ReturnType<typeof enrolProcessor>;
  beforeAll(async () => {
    redis = await openRedis(redisUrl);
    db = await createTestDatabase();
    analyzer = await FaceAnalyzer.create();
    store = await PostgresStore.connect(db.url, { dim: analyzer.recognizer.dim, modelKey: modelKey(analyzer) });
    queue = new Queue(name, { connection: redis });
    processor = enrolProcessor({ analyzer, sink: store, models: {}, modelKey: modelKey(analyzer), modelName: modelName(analyzer) });
    dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-processor-'));
    mkdirSync(path.join(dir, 'eve'));
    writeFileSync(path.join(dir, 'eve', 'broken.jpg'), 'not a jpeg');
  });
  afterAll(async () => {
    await queue?.close();
    await removeQueue(redis, name);
    redis?.disconnect();
    await store?.close();
    await analyzer?.dispose();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobFor = async (file: string, photo: string, models: EnrolJobData['models'] = {}) => {
    const { ids } = await enqueuePhotos(queue, 'key-p', [{ path: photo, subject: file.split('/')[0]!, file }], { models });
    return (await queue.getJob(ids[0]!)) as Job<EnrolJobData, EnrolJobResult>;
  };

  it('stores the main face under the job id once, however often the job runs', async () => {
    const job = await jobFor('ann/1.jpg', samplePhoto(1));
    const first = await processor(job, undefined, undefined);
    expect(first).toEqual({ faces: 1, added: 1, modelKey: modelKey(analyzer), dim: analyzer.recognizer.dim });
    expect(await processor(job, undefined, undefined)).toMatchObject({ faces: 1, added: 0 });
    const { faces, total } = await store.listFaces('key-p');
    expect(total).toBe(1);
    expect(faces[0]).toEqual({ id: job.id, subject: 'ann' });
    const stored = await store.getFace('key-p', job.id!);
    expect(stored!.meta).toMatchObject({ file: 'ann/1.jpg', model: modelKey(analyzer) });
    expect(stored!.meta!.box).toHaveLength(4);
    // The stored vector is the photo's main face as FaceAnalyzer finds it.
    const again = await analyzer.analyze(samplePhoto(1));
    const main = mainFace(again, again.width, again.height)!;
    let dot = 0;
    for (let i = 0; i < main.embedding.length; i++) dot += main.embedding[i]! * stored!.vector[i]!;
    expect(dot).toBeGreaterThan(0.999);
    expect((await queue.getJob(job.id!))!.progress).toBe(100);
  });

  it('fails an undecodable photo, a job for other models and malformed data without retrying', async () => {
    const broken = await jobFor('eve/broken.jpg', path.join(dir, 'eve', 'broken.jpg'));
    await expect(processor(broken, undefined, undefined)).rejects.toThrow(UnrecoverableError);
    await expect(processor(broken, undefined, undefined)).rejects.toThrow(/^unreadable image eve\/broken\.jpg: /);
    const other = await jobFor('ann/2.jpg', samplePhoto(2), { model: 'faceres' });
    await expect(processor(other, undefined, undefined)).rejects.toThrow(/job asks for --model faceres but this worker runs the default/);
    const bad = await queue.add(ENROL_JOB, { v: 1, apiKey: 'key-p' } as EnrolJobData, { jobId: 'malformed' });
    await expect(processor(bad, undefined, undefined)).rejects.toThrow(/job data \.subject: expected a non-empty string, got nothing/);
    expect((await store.listFaces('key-p')).total).toBe(1);
  });
});
