#!/usr/bin/env node
// Scale-out (docs/scale-out.md), one section per part of the picture.
//
// write -> searchable: a face written to the PostgreSQL store by this process becomes
// searchable in another process's replica (src/store/replica.ts, woken by NOTIFY): the time
// from the writer's acknowledgement (commit + its own replica applied, as `serve --store`
// answers a write) to the other process having applied it, median and p99; the time from the
// start of the write too. Peer, interleaved write by write: the same face added to a durable
// FaceIndex file (fsync), where "searchable" is the add resolving in the one process there is.
// The reader holds --gallery faces already (a replica loads them at start).
//
// Needs PostgreSQL: FACECORE_BENCH_POSTGRES or FACECORE_TEST_POSTGRES (an admin URL whose role
// may create databases; default postgres://facecore:facecore@127.0.0.1:5432/postgres). The
// bench makes its own database and drops it.
//
//   npm run build:ts && node bench/scale-out.js [--writes N] [--gallery N]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const DIM = 512;
const KEY = 'bench-key-0123456789';
const MODEL = { dim: DIM, modelKey: 'bench-model' };
const now = () => performance.timeOrigin + performance.now();  // one clock across processes (ms)
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const fmt = (x) => x.toFixed(2);

function randomVector(seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: DIM }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

if (process.argv[2] === '--reader') {
  // The other process: a replica of the whole store; reports when each awaited face id is in.
  const { PostgresStore } = await import('../dist/store/postgres-store.js');
  const { ShardReplica } = await import('../dist/store/replica.js');
  const { collectionStem } = await import('../dist/store/collection-stem.js');
  const t0 = performance.now();
  const store = await PostgresStore.connect(process.argv[3], MODEL);
  const replica = await ShardReplica.start(store);
  const loadMs = performance.now() - t0;
  const stem = collectionStem(KEY);
  const awaited = new Set();
  const check = () => {
    const index = replica.index(stem);
    for (const id of awaited) {
      if (index?.has(id)) {
        awaited.delete(id);
        process.send({ id, at: now() });
      }
    }
  };
  replica.onApplied(check);
  process.on('message', async (m) => {
    if (m.stop) {
      await replica.close();
      await store.close();
      process.exit(0);
    }
    awaited.add(m.await);
    check();
  });
  process.send({ ready: replica.size, loadMs });
} else {
  const writes = arg('--writes', 200);
  const gallery = arg('--gallery', 10_000);
  const { adminUrl, createScratchDatabase } = await import('./lib/scratch-database.js');
  const { PostgresStore } = await import('../dist/store/postgres-store.js');
  const { ShardReplica } = await import('../dist/store/replica.js');
  const { FaceIndex } = await import('../dist/gallery/face-index.js');

  let db;
  try {
    db = await createScratchDatabase();
  } catch (err) {
    // `npm run bench` runs every suite: without a server this one says so and steps aside.
    console.log(`scale-out: skipped, no PostgreSQL to create a database on at ${adminUrl} (${err.message})`);
    process.exit(0);
  }
  const url = db.url;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-bench-scale-'));
  try {
    const store = await PostgresStore.connect(url.toString(), MODEL);
    // The gallery goes in as 1,000-face writes (one transaction each): timed, for batching's worth.
    const batchMs = [];
    for (let i = 0; i < gallery; i += 1000) {
      const faces = Array.from({ length: Math.min(1000, gallery - i) }, (_, j) => ({ id: `g${i + j}`, subject: `p${(i + j) % 1000}`, vector: randomVector(i + j) }));
      const t = now();
      await store.addFaces(KEY, faces);
      batchMs.push(now() - t);
    }
    const writer = await ShardReplica.start(store);
    const reader = fork(self, ['--reader', url.toString()], { stdio: 'inherit' });
    const arrivals = new Map();
    let ready;
    const readyP = new Promise((r) => (ready = r));
    reader.on('message', (m) => {
      if (m.ready !== undefined) ready(m);
      else arrivals.get(m.id)?.(m.at);
    });
    const { ready: size, loadMs } = await readyP;
    console.log(`write -> searchable: writer and reader replicas of ${size} faces (dim ${DIM}), ${writes} writes, one at a time`);
    console.log(`the reader's start (connect + load its replica): ${fmt(loadMs)} ms for ${size} faces`);

    const file = await FaceIndex.open(path.join(tmp, 'peer.fci'), { dim: DIM });
    const fromAck = [], fromStart = [], ackMs = [], fileMs = [];
    for (let i = 0; i < writes; i++) {
      const id = `w${i}`;
      const vector = randomVector(1e6 + i);
      const arrived = new Promise((r) => arrivals.set(id, r));
      reader.send({ await: id });
      const t0 = now();
      const { seq } = await store.addFaces(KEY, [{ id, subject: `w${i}`, vector }]);
      await writer.waitFor(seq);
      const acked = now();
      const at = await arrived;
      fromStart.push(at - t0);
      fromAck.push(Math.max(0, at - acked));
      ackMs.push(acked - t0);
      // The peer, interleaved: a durable local add (resolves once its log record is fsynced).
      const f0 = now();
      await file.add([id], vector, { labels: [`w${i}`] });
      fileMs.push(now() - f0);
      await new Promise((r) => setTimeout(r, 5));
    }
    await file.close();
    const row = (name, xs) => `| ${name} | ${fmt(quantile(xs, 0.5))} | ${fmt(quantile(xs, 0.99))} | ${fmt(Math.max(...xs))} |`;
    console.log('\n| ms | median | p99 | max |\n|---|---:|---:|---:|');
    console.log(row('write acknowledged (commit + own replica)', ackMs));
    console.log(row('ack -> searchable in the other process', fromAck));
    console.log(row('write start -> searchable in the other process', fromStart));
    console.log(row('peer: durable FaceIndex.add (fsync), one process', fileMs));
    if (batchMs.length > 0) {
      const per = quantile(batchMs, 0.5);
      console.log(`\nbatched writes: 1,000 faces per addFaces, median ${fmt(per)} ms (${Math.round(1000 / (per / 1000))} faces/s) vs one face per write ${fmt(quantile(ackMs, 0.5))} ms acknowledged (${Math.round(1000 / quantile(ackMs, 0.5))} faces/s)`);
    }
    console.log(`\nratio, searchable elsewhere (from write start) / local durable add, medians: ${fmt(quantile(fromStart, 0.5) / quantile(fileMs, 0.5))}x`);
    reader.send({ stop: true });
    await new Promise((r) => reader.on('exit', r));
    await writer.close();
    await store.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await db.drop();
  }
}
