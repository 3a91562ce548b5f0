#!/usr/bin/env node
// Enrolment throughput through the BullMQ queue into PostgreSQL (issue #16). Interleaved in one
// run, round by round on the same photos:
//  - the face pipeline in this process, one photo after another, no queue and no store (the
//    ceiling a worker approaches),
//  - `facecore worker` child processes (1 at --concurrency 1 and 2, then 2) taking the jobs `enqueuePhotos` puts on Redis
//    and storing each main face in PostgresStore with its dedup key.
// Then the two shared services alone, to see where more machines stop helping:
//  - PostgreSQL: PostgresStore.addFaces of one face with a dedup key (what a job writes), one
//    at a time and 8 at once (face writes take the store's head row, so they serialise),
//  - Redis + BullMQ: queueing real photo payloads from one process, then a worker that does
//    nothing draining them.
// Photos: every photo under ../shared/data (262), in folders per identity from labels.csv.
//
//   npm run build:ts && node bench/enroll-queue.js [--rounds N]
//
// Needs Redis (FACECORE_TEST_REDIS, default redis://127.0.0.1:6379) and PostgreSQL
// (FACECORE_TEST_POSTGRES, default postgres://facecore:facecore@127.0.0.1:5432/postgres; a
// database is created for the run and dropped).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { FaceAnalyzer } from '../dist/pipeline/face-analyzer.js';
import { mainFace } from '../dist/pipeline/main-face.js';
import { openRedis } from '../dist/queue/connection.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { enqueuePhotos } from '../dist/queue/enqueue.js';
import { waitForJobs } from '../dist/queue/wait.js';
import { PostgresStore } from '../dist/store/postgres-store.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 2;
const redisUrl = process.env.FACECORE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const dataDir = path.resolve(process.env.FACECORE_SHARED ?? path.join(root, '../shared'), 'data');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Every shared photo as { path, subject, file }: subject from labels.csv, else "<source>-unlabelled". */
function sharedPhotos() {
  const photos = [];
  for (const source of fs.readdirSync(dataDir).sort()) {
    const folder = path.join(dataDir, source);
    if (!fs.statSync(folder).isDirectory()) continue;
    const labels = new Map();
    const csv = path.join(folder, 'labels.csv');
    if (fs.existsSync(csv)) {
      for (const line of fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1)) {
        const [file, identity] = line.split(',');
        labels.set(file, identity);
      }
    }
    for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(jpe?g|png|webp)$/i.test(entry.name)) continue;
      const full = path.join(entry.parentPath, entry.name);
      const rel = path.relative(folder, full).split(path.sep).join('/');
      const identity = labels.get(rel);
      const subject = identity && identity !== 'unknown' ? `${source}-${identity}` : `${source}-unlabelled`;
      photos.push({ path: full, subject, file: `${subject}/${rel.replaceAll('/', '_')}` });
    }
  }
  return photos;
}

function spawnWorker(queueName, storeUrl, concurrency) {
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'worker', '--queue', redisUrl, '--queue-name', queueName, '--store', storeUrl,
    '--concurrency', String(concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, ready, exited };
}

async function main() {
  const photos = sharedPhotos();
  if (photos.length === 0) throw new Error(`no photos under ${dataDir}`);
  const db = await createScratchDatabase();
  const storeUrl = db.url;
  const redis = await openRedis(redisUrl);
  const queueNames = [];
  const analyzer = await FaceAnalyzer.create();
  try {
    const bytes = await Promise.all(photos.map((p) => fs.promises.readFile(p.path)));
    for (const b of bytes) await analyzer.analyze(b); // warm-up: file cache, lazy init
    // Worker setups: processes x jobs at once in each.
    const setups = [{ n: 1, c: 1 }, { n: 1, c: 2 }, { n: 2, c: 1 }];
    const results = { inProcess: [], runs: setups.map(() => []) };
    let withFace = 0;
    for (let round = 0; round < rounds; round++) {
      // The pipeline alone, one photo after another.
      let t0 = performance.now();
      withFace = 0;
      for (const b of bytes) {
        const faces = await analyzer.analyze(b);
        if (mainFace(faces, faces.width, faces.height)) withFace++;
      }
      results.inProcess.push(photos.length / ((performance.now() - t0) / 1000));
      for (const [s, { n, c }] of setups.entries()) {
        const queueName = `facecore-bench-${process.pid}-${round}-${s}`;
        queueNames.push(queueName);
        const workers = Array.from({ length: n }, () => spawnWorker(queueName, storeUrl, c));
        await Promise.all(workers.map((w) => w.ready)); // model loading is not enrolment time
        const queue = new Queue(queueName, { connection: redis });
        t0 = performance.now();
        // A fresh collection per run: every photo is a new job.
        const queued = await enqueuePhotos(queue, `bench-key-${round}-${s}`, photos);
        const enqueueS = (performance.now() - t0) / 1000;
        const tally = await waitForJobs(queue, queued.ids, { connection: redis, pollMs: 100 });
        const wallS = (performance.now() - t0) / 1000;
        for (const w of workers) w.child.kill('SIGTERM');
        await Promise.all(workers.map((w) => w.exited));
        await queue.close();
        if (tally.failed > 0 || tally.completed !== queued.ids.length) throw new Error(`run with ${n} worker(s): ${JSON.stringify(tally.failures.slice(0, 3))}`);
        results.runs[s].push({ rate: queued.ids.length / wallS, enqueueRate: queued.ids.length / enqueueS, faces: tally.faces });
      }
      console.error(`round ${round + 1}/${rounds} done`);
    }

    // PostgreSQL alone: one-face writes with a dedup key, as the workers make them.
    const store = await PostgresStore.connect(storeUrl, { dim: analyzer.recognizer.dim, modelKey: 'bench-writes' });
    const vector = new Float32Array(analyzer.recognizer.dim).fill(1 / Math.sqrt(analyzer.recognizer.dim));
    const writes = async (count, concurrency) => {
      let next = 0;
      const t = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const id = `w${concurrency}-${i}`;
          await store.addFaces('bench-writes', [{ id, subject: `s${i % 50}`, vector }], { dedupKey: id });
        }
      }));
      return count / ((performance.now() - t) / 1000);
    };
    const pgSerial = await writes(400, 1);
    const pgParallel = await writes(800, 8);
    await store.close();

    // Redis + BullMQ alone: the same photo payloads, queued first (no worker), then drained by a
    // worker that does nothing.
    const noopName = `facecore-bench-${process.pid}-noop`;
    queueNames.push(noopName);
    const noopQueue = new Queue(noopName, { connection: redis });
    const tEnqueue = performance.now();
    let ids = [];
    for (let k = 0; k < 3; k++) ids = ids.concat((await enqueuePhotos(noopQueue, `noop-${k}`, photos)).ids);
    const enqueueRate = ids.length / ((performance.now() - tEnqueue) / 1000);
    const tDrain = performance.now();
    const noop = new Worker(noopName, async () => ({ faces: 0, added: 0 }), { connection: redis, concurrency: 16 });
    await waitForJobs(noopQueue, ids, { connection: redis, pollMs: 50 });
    const drainRate = ids.length / ((performance.now() - tDrain) / 1000);
    await noop.close();
    await noopQueue.close();

    const rateOf = (s) => median(results.runs[s].map((r) => r.rate));
    const one = rateOf(0), two = rateOf(2);
    const alone = median(results.inProcess);
    const payloadKB = bytes.reduce((a, b) => a + b.length, 0) / bytes.length / 1024;
    console.log(`machine: ${os.cpus()[0].model} x${os.cpus().length}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end, node ${process.version}; ` +
      `${photos.length} photos (${withFace} with a face, mean ${payloadKB.toFixed(0)} KB), median of ${rounds} interleaved rounds\n`);
    console.log('| configuration | photos/s | vs pipeline alone | enqueue photos/s |');
    console.log('|---|---|---|---|');
    console.log(`| pipeline in one process, no queue, no store | ${alone.toFixed(2)} | 1.00x | |`);
    for (const [s, { n, c }] of setups.entries()) {
      const r = rateOf(s);
      console.log(`| ${n} worker process${n > 1 ? 'es' : ''} (--concurrency ${c}) via Redis into PostgreSQL | ${r.toFixed(2)} | ${(r / alone).toFixed(2)}x | ${median(results.runs[s].map((x) => x.enqueueRate)).toFixed(0)} |`);
    }
    console.log(`\n2 workers vs 1: ${(two / one).toFixed(2)}x; 1 worker at --concurrency 2 vs 1: ${(rateOf(1) / one).toFixed(2)}x\n`);
    console.log('| shared service alone | operations/s |');
    console.log('|---|---|');
    console.log(`| PostgreSQL: addFaces(1 face, dedupKey), 1 at a time | ${pgSerial.toFixed(0)} |`);
    console.log(`| PostgreSQL: addFaces(1 face, dedupKey), 8 at once | ${pgParallel.toFixed(0)} |`);
    console.log(`| Redis + BullMQ: enqueuePhotos from one process (4 at once), ${payloadKB.toFixed(0)} KB photos | ${enqueueRate.toFixed(0)} |`);
    console.log(`| Redis + BullMQ: a no-op worker (concurrency 16) draining those jobs | ${drainRate.toFixed(0)} |`);
    // Paper projection: machines like this one, each running 2 workers, until a shared service saturates.
    const perMachine = Math.max(...setups.map((_, s) => rateOf(s)));
    const ceilings = [[pgParallel, 'PostgreSQL writes (serialised on the head row)'], [enqueueRate, 'one enqueuer'], [drainRate, 'Redis/BullMQ job handling']];
    const [ceiling, limit] = ceilings.sort((a, b) => a[0] - b[0])[0];
    console.log('\n| machines like this one (best setup above) | projected photos/s | limited by |');
    console.log('|---|---|---|');
    for (const m of [1, 2, 4, 8, 16, 32, 64]) {
      const p = Math.min(m * perMachine, ceiling);
      console.log(`| ${m} | ${p.toFixed(0)} | ${m * perMachine < ceiling ? 'inference (per machine)' : limit} |`);
    }
  } finally {
    await analyzer.dispose();
    for (const name of queueNames) {
      const q = new Queue(name, { connection: redis });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    redis.disconnect();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
