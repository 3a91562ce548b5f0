#!/usr/bin/env node
// The router's cost: one query (Q=1) against N faces (default 200,000) three ways, interleaved
// request by request so machine load hits all three alike:
//   in-process  FaceIndex.searchLabels on every face (the search itself),
//   one server  POST /api/v1/recognition/embeddings/recognize to `facecore serve --data` holding every face,
//   router      the same request to `facecore serve --route` over 2 shard processes of N/2 faces each.
// Router overhead = router - one server (median). The faces are random unit vectors with meta.seq
// as the store stamps them; each process runs its searches on every core, so on a small machine
// the two shards compete for the same cores (the figure is then an upper bound).
//
//   npm run build:ts && node bench/router.js [--faces N] [--requests N] [--rounds N] [--block N] [--warmup N (default 3000)]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const N = arg('--faces', 200_000);
const requests = arg('--requests', 100);
const rounds = arg('--rounds', 3);
// Requests in a row to one way before the next: 1 interleaves request by request (every process
// has idled while the other ways ran, which on a VM costs a cold wake-up), more measures warm processes.
const block = arg('--block', 1);
const warmup = arg('--warmup', 3000);
const KEY = 'bench-key-0123456789';
const DIM = 128;
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const { FaceIndex } = await import('../dist/gallery/face-index.js');
const { collectionStem } = await import('../dist/server/collections.js');
const { shardOf } = await import('../dist/store/shard.js');

/** Seeded unit-free random rows (the index normalises for cosine). */
function rows(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function fill(index, ids, vectors) {
  for (let at = 0; at < ids.length; at += 20_000) {
    const part = ids.slice(at, at + 20_000);
    await index.add(part.map((f) => f.id), vectors.subarray(at * DIM, (at + part.length) * DIM), { labels: part.map((f) => f.subject), meta: part.map((f) => ({ seq: f.seq })) });
  }
}

/** Writes the faces picked by `pick` (in seq order) as KEY's collection in a fresh data dir. */
async function dataDir(faces, vectors, pick, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `facecore-bench-${name}-`));
  const rowsPicked = faces.flatMap((f, i) => (pick(f) ? [i] : []));
  const v = new Float32Array(rowsPicked.length * DIM);
  rowsPicked.forEach((r, i) => v.set(vectors.subarray(r * DIM, (r + 1) * DIM), i * DIM));
  const index = await FaceIndex.open(path.join(dir, `${collectionStem(KEY)}.fci`), { dim: DIM });
  await fill(index, rowsPicked.map((r) => faces[r]), v);
  await index.compact();
  await index.close();
  return dir;
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** CPU milliseconds a process has used so far (Linux /proc; utime + stime at 100 ticks/s), or NaN elsewhere. */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const children = [];
const pidOf = new Map();
async function serve(args, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', '--log-level', 'warn', '--port', String(port), ...args], {
    env: { ...process.env, FACECORE_API_KEYS: KEY, ...env }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  pidOf.set(url, child.pid);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve ${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return url;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
}

const recognize = async (url, body) => {
  const res = await fetch(`${url}/api/v1/recognition/embeddings/recognize?prediction_count=1`, {
    method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body,
  });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
};

try {
  console.log(`router bench: N=${N} faces (2 shards of ~${N / 2}), Q=1, ${warmup} warm-up then ${rounds} rounds x ${requests} requests per way in blocks of ${block}, ${os.cpus().length} cores (${os.loadavg()[0].toFixed(1)} load average at start)`);
  const t0 = performance.now();
  const faces = Array.from({ length: N }, (_, seq) => ({ id: `face-${seq}`, subject: `p${seq % 20_000}`, seq }));
  const vectors = rows(N, 1);
  const local = new FaceIndex({ dim: DIM });
  await fill(local, faces, vectors);
  const [allDir, dir0, dir1] = await Promise.all([
    dataDir(faces, vectors, () => true, 'all'),
    dataDir(faces, vectors, (f) => shardOf(f.id, 2) === 0, 'shard0'),
    dataDir(faces, vectors, (f) => shardOf(f.id, 2) === 1, 'shard1'),
  ]);
  // Two shards on one host split its cores, as shards on their own hosts would each have theirs.
  const shardEnv = { FACECORE_THREADS: String(Math.max(1, Math.floor(os.availableParallelism() / 2))) };
  const [single, shard0, shard1] = await Promise.all([serve(['--data', allDir]), serve(['--data', dir0], shardEnv), serve(['--data', dir1], shardEnv)]);
  const router = await serve(['--route', `${shard0},${shard1}`]);
  console.log(`data written and 4 servers up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const queries = rows(requests * rounds, 2);
  const body = (i) => JSON.stringify({ embeddings: [Array.from(queries.subarray(i * DIM, (i + 1) * DIM))] });
  // Same answers first (the router is exact), then warm every path: `warmup` requests per way
  // before timing, so the servers' JavaScript runs optimised as in a server's steady state
  // (with 5, most of the router's request path still ran in V8's baseline tier; with 300,
  // `--trace-opt` showed V8 still optimising and deoptimising it, and the router's CPU per
  // request fell 3.2 -> 2.0 ms from 300 to 3,000).
  for (let i = 0; i < 5; i++) {
    const [a, b] = await Promise.all([recognize(single, body(i)), recognize(router, body(i))]);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`router and single server differ on query ${i}`);
  }
  const ways = {
    'in-process': async (i) => local.searchLabels(queries.subarray(i * DIM, (i + 1) * DIM), 1),
    'one server': (i) => recognize(single, body(i)),
    router: (i) => recognize(router, body(i)),
  };
  for (let i = 0; i < warmup; i++) for (const w of Object.keys(ways)) await ways[w](i % (requests * rounds));
  const times = Object.fromEntries(Object.keys(ways).map((w) => [w, []]));
  // CPU used by each server over the timed requests: load-independent, unlike wall time.
  const cpuBefore = new Map([...pidOf].map(([url, pid]) => [url, cpuMs(pid)]));
  const cpuUsed = (url) => cpuMs(pidOf.get(url)) - cpuBefore.get(url);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < requests; j += block) {
      const i = r * requests + j;
      // Rotate the order each block: none always runs right after the same neighbour.
      const names = Object.keys(ways);
      for (let n = 0; n < names.length; n++) {
        const w = names[(n + i / block) % names.length];
        for (let b = i; b < Math.min(i + block, (r + 1) * requests); b++) {
          const t = performance.now();
          await ways[w](b);
          times[w].push(performance.now() - t);
        }
      }
    }
  }
  const row = (w) => `| ${w} | ${quantile(times[w], 0.5).toFixed(2)} | ${quantile(times[w], 0.9).toFixed(2)} | ${quantile(times[w], 0.99).toFixed(2)} |`;
  console.log('\n| way (Q=1) | median ms | p90 ms | p99 ms |\n|---|---|---|---|');
  for (const w of Object.keys(ways)) console.log(row(w));
  const med = (w) => quantile(times[w], 0.5);
  const count = requests * rounds;
  const [cpuSingle, cpuRouter, cpuShards] = [cpuUsed(single), cpuUsed(router), cpuUsed(shard0) + cpuUsed(shard1)];
  console.log(`\nCPU per request (ms): one server ${(cpuSingle / count).toFixed(2)}; router path ${((cpuRouter + cpuShards) / count).toFixed(2)} ` +
    `(router process ${(cpuRouter / count).toFixed(2)}, the 2 shards ${(cpuShards / count).toFixed(2)})`);
  console.log(`\nrouter overhead over one server: ${(med('router') - med('one server')).toFixed(2)} ms median (router/one server ${(med('router') / med('one server')).toFixed(2)}x); one server over in-process: ${(med('one server') - med('in-process')).toFixed(2)} ms`);
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const d of [allDir, dir0, dir1]) fs.rmSync(d, { recursive: true, force: true });
} finally {
  for (const c of children) c.kill('SIGTERM');
}
