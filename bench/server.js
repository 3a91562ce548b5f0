#!/usr/bin/env node
// facecore serve: POST /api/v1/recognition/recognize throughput against the same work done in
// process (FaceAnalyzer.analyze + FaceIndex.searchLabels, 2 photos in flight as the server's
// queue runs them), interleaved round by round on the same photos; then latency percentiles at
// 1, 8 and 32 concurrent clients, and a burst of 256 (every answer must be 200 or 503 with
// Retry-After). The load loop is our own, in one child process started once (the HTTP client's
// work stays off the server's event loop and out of its CPU time), sending bodies encoded once
// (multipart, and JSON base64 as the CompreFace SDK sends base64), over node:http keep-alive
// sockets: bounded in requests and time, loopback only.
// Photos: ../shared/data/deepface (those with a face) when present, else face-api's samples.
//
//   npm run build:ts && node bench/server.js [--rounds N] [--requests N]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const rounds = arg('--rounds', 3);
const requests = arg('--requests', 64);
const sharedSet = path.resolve(process.env.FACECORE_SHARED ?? path.join(root, '../shared'), 'data/deepface');
const files = fs.existsSync(sharedSet)
  ? fs.readdirSync(sharedSet).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(sharedSet, f))
  : [1, 2, 3, 4, 5, 6].map((n) => path.join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const KEY = 'bench-key-0123456789';
const RECOGNIZE = '/api/v1/recognition/recognize?prediction_count=1';
// Parsed, authenticated and answered 404 before any analysis: the service's own cost per request.
const NO_ANALYSIS = '/api/v1/recognition/faces/no-such-face/verify';
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const median = (xs) => quantile(xs, 0.5);


/** Runs `count` jobs with `clients` in flight; returns wall ms and each job's latency. */
async function load(count, clients, job) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await job(i);
      latencies.push(performance.now() - t);
    }
  }));
  return { wall: performance.now() - t0, latencies };
}

function recognize(url, bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes]));
  return fetch(url + RECOGNIZE, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
}

/**
 * The request body of each photo, encoded once: multipart (what FormData sends, with its
 * content type) or JSON { file: base64 } (the CompreFace SDK's base64 form). Encoding per
 * request would bill the load generator's work to the service on these shared cores.
 */
async function encodedBodies(photoBytes, mode) {
  return Promise.all(photoBytes.map(async (b) => {
    if (mode === 'json') return { body: Buffer.from(JSON.stringify({ file: b.toString('base64') })), type: 'application/json' };
    const form = new FormData();
    form.append('file', new Blob([b]));
    const res = new Response(form);
    return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
  }));
}

if (process.argv[2] === '--client') {
  // The HTTP clients: every request must be answered 200.
  // One child for the whole bench, a job per message: forking a client per round billed the
  // server's process for it (fork write-protects every page of the parent, which then faults
  // on its next write to each).
  const bodiesOf = new Map();
  process.on('message', async ({ url, files: photoFiles, count, clients, mode, route, status }) => {
    if (!bodiesOf.has(mode)) bodiesOf.set(mode, await encodedBodies(photoFiles.map((f) => fs.readFileSync(f)), mode));
    const bodies = bodiesOf.get(mode);
    // node:http on keep-alive sockets, one per client: a load generator that costs the shared
    // cores less than fetch (undici), whose client side took ~1 ms of CPU a request here.
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
    const post = (body, type) => new Promise((resolve, reject) => {
      const req = http.request(url + route, {
        method: 'POST', agent, headers: { 'x-api-key': KEY, 'content-type': type, 'content-length': body.length },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const c0 = process.cpuUsage();
    const result = await load(count, clients, async (i) => {
      const { body, type } = bodies[i % bodies.length];
      const res = await post(body, type);
      if (res.status !== status) throw new Error(`${route}: ${res.status} ${res.text}`);
      JSON.parse(res.text);
    });
    const c = process.cpuUsage(c0);
    result.clientCpuMs = (c.user + c.system) / 1000 / count;
    agent.destroy();
    process.send(result);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  // The server and the in-process peer (loaded here only: the client process needs neither).
  // Garbage collection as `facecore serve` runs it (src/cli/throughput-gc.ts), for both sides.
  const { preferThroughputGc } = await import('../dist/cli/throughput-gc.js');
  preferThroughputGc();
  const { FaceAnalyzer } = await import('../dist/pipeline/face-analyzer.js');
  const { FaceIndex } = await import('../dist/gallery/face-index.js');
  const { createServer } = await import('../dist/server/app.js');
  const analyzer = await FaceAnalyzer.create();
  // Photos with at least one face (the server answers 400 for the others); a gallery of 10 subjects.
  const photos = [], photoFiles = [];
  for (const f of files) {
    const bytes = fs.readFileSync(f);
    if ((await analyzer.analyze(bytes)).length > 0) photos.push(bytes), photoFiles.push(f);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-bench-serve-'));
  const index = new FaceIndex({ dim: analyzer.recognizer.dim });
  const app = await createServer({ dataDir, apiKeys: [KEY], analyzer, limits: { concurrency: 2, queued: 64 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  for (let i = 0; i < 10; i++) {
    const face = (await analyzer.analyze(photos[i]))[0];
    await index.add([`f${i}`], face.embedding, { labels: [`s${i}`] });
    const form = new FormData();
    form.append('file', new Blob([photos[i]]));
    const res = await fetch(`${url}/api/v1/recognition/faces?subject=s${i}`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
    if (res.status !== 201) throw new Error(`enrol: ${res.status} ${await res.text()}`);
  }

  const inProcess = (i) => analyzer.analyze(photos[i % photos.length]).then((faces) => {
    const dim = analyzer.recognizer.dim;
    const q = new Float32Array(faces.length * dim);
    faces.forEach((f, j) => q.set(f.embedding, j * dim));
    return index.searchLabels(q, 1);
  });
  /** `count` requests from `clients` HTTP clients in a child process; bodies multipart or JSON base64. */
  /** `count` requests from `clients` HTTP clients in the client process; bodies multipart or JSON base64. */
  const client = fork(fileURLToPath(import.meta.url), ['--client']);
  client.once('exit', (code) => code !== 0 && code !== null && console.error(`HTTP client exited ${code}`));
  const overHttp = (count, clients, mode = 'multipart', route = RECOGNIZE, status = 200) => new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`HTTP client exited ${code}`));
    client.once('exit', onExit);
    client.once('message', (result) => {
      client.off('exit', onExit);
      resolve(result);
    });
    client.send({ url, files: photoFiles, count, clients, mode, route, status });
  });

  // Warm-up, then interleaved rounds: the same photos through both paths.
  await load(photos.length, 2, inProcess);
  await overHttp(photos.length, 8);
  // Each round: photos/s (wall, swings with the machine's load) and this process's CPU ms per
  // photo (models + service, every thread; the HTTP clients are another process), which the
  // load does not change much: on a dedicated host the rate follows the CPU per photo.
  const rates = { inProcess: [], http: [], json: [] };
  const cpu = { inProcess: [], http: [], json: [] };
  const clientCpu = { http: [], json: [] };
  const round = async (key, run) => {
    const c0 = process.cpuUsage();
    const { wall, clientCpuMs } = await run();
    const c = process.cpuUsage(c0);
    rates[key].push(photos.length / (wall / 1000));
    cpu[key].push((c.user + c.system) / 1000 / photos.length);
    if (clientCpuMs !== undefined) clientCpu[key].push(clientCpuMs);
  };
  for (let r = 0; r < rounds; r++) {
    await round('inProcess', () => load(photos.length, 2, inProcess));
    await round('http', () => overHttp(photos.length, 8));
    await round('json', () => overHttp(photos.length, 8, 'json'));
  }
  const ratio = (key) => `${(median(rates[key]) / median(rates.inProcess) * 100).toFixed(1)}% by rate, ${(median(cpu.inProcess) / median(cpu[key]) * 100).toFixed(1)}% by CPU`;
  const perPhoto = (key) => `${median(rates[key]).toFixed(2)} photos/s, ${median(cpu[key]).toFixed(1)} CPU ms/photo`;
  const lines = [
    `machine: ${os.cpus()[0].model}, ${os.cpus().length} threads (shared with other work while measured)`,
    `photos: ${photos.length} with faces; ${rounds} interleaved rounds; medians`,
    `in process (analyze + searchLabels, 2 in flight): ${perPhoto('inProcess')}`,
    `HTTP POST /recognize (multipart, 8 clients):      ${perPhoto('http')}`,
    `HTTP POST /recognize (JSON base64, 8 clients):    ${perPhoto('json')}`,
    `HTTP / in process: multipart ${ratio('http')}; JSON ${ratio('json')} (target >= 90%)`,
    `load generator (another process on the same cores): multipart ${median(clientCpu.http).toFixed(2)}, JSON ${median(clientCpu.json).toFixed(2)} CPU ms/request`,
  ];
  // The service alone: the same bodies to a route that parses, authenticates and answers 404.
  for (const mode of ['multipart', 'json']) {
    const ms = [];
    for (let r = 0; r < rounds; r++) {
      const c0 = process.cpuUsage();
      await overHttp(photos.length, 4, mode, NO_ANALYSIS, 404);
      const c = process.cpuUsage(c0);
      ms.push((c.user + c.system) / 1000 / photos.length);
    }
    lines.push(`service alone (${mode}, parse + auth + 404, no analysis): ${median(ms).toFixed(1)} CPU ms/request`);
  }
  for (const clients of [1, 8, 32]) {
    const n = Math.max(requests, clients * 2);
    const { latencies, wall } = await overHttp(n, clients);
    lines.push(`${String(clients).padStart(2)} clients: ${n} requests, p50 ${median(latencies).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, ${(n / wall * 1000).toFixed(2)} req/s`);
  }
  // Burst: 256 at once against a queue of 64 waiting + 2 running.
  const burst = await Promise.all(Array.from({ length: 256 }, (_, i) => recognize(url, photos[i % photos.length]).then(async (res) => {
    await res.arrayBuffer();
    return res.status === 200 ? 'ok' : res.status === 503 && res.headers.get('retry-after') ? 'busy' : `bad ${res.status}`;
  })));
  const tally = burst.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});
  lines.push(`256 at once: ${JSON.stringify(tally)} (only 200 or 503 + Retry-After allowed)`);
  console.log(lines.join('\n'));
  client.disconnect();
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (Object.keys(tally).some((k) => k.startsWith('bad'))) process.exitCode = 1;
}
