// Exact top-k search and similarity matrices: facecore side by side with what a Node user would
// otherwise pick (usearch exact search, hnswlib-node brute force, onnxruntime Gemm + TopK, a plain
// loop), in one run, related to this machine's measured read bandwidth and FMA peak.
// Run: npm run bench -- similarity [--quick]   (--quick: N = 100k only)
// Writes bench/out/similarity.json; print its tables again with `node bench/lib/similarity-markdown.js`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import usearch from 'usearch';
import { defaultThreads, getIsa, measureMachineLimits, similarityMatrix, topK } from '../dist/index.js';
import { Extrapolator, collectGarbage, machineInfo, measure, parseFlags } from './lib/measure.js';
import { addPointMsPerPoint, loadBruteforceIndex } from './lib/hnswlib-index.js';
import { createSession, similarityModel, tensor, topKModel } from './lib/onnx-graphs.js';
import { plainSimilarity, plainTopK } from './lib/plain-loop.js';
import { checkTargets, similarityMarkdown } from './lib/similarity-markdown.js';

const flags = parseFlags(process.argv.slice(2), ['quick']);
const DIM = 512;
const K = 10;
const GALLERY_SIZES = flags.quick ? [100_000] : [100_000, 1_000_000];
const QUERY_COUNTS = [1, 10, 100, 1000];
const CORES = defaultThreads();
const THREADS = CORES > 1 ? [1, CORES] : [1];
// A peer call predicted slower than this is not run: it is extrapolated linearly from a smaller Q.
const PEER_MAX_CALL_MS = 2500;
// onnxruntime materialises the q x n score matrix: bound it by running queries in batches.
const ORT_MAX_SCORES_BYTES = 512 * 2 ** 20;
const TIMING = { iterations: 3, timeMs: 500, warmup: 1 };

const outPath = fileURLToPath(new URL('./out/similarity.json', import.meta.url));
const report = {
  suite: 'similarity',
  command: `node bench/similarity.js${flags.quick ? ' --quick' : ''}`,
  machine: { ...machineInfo(), isa: getIsa() },
  dim: DIM, k: K, threads: THREADS,
  limits: [], topk: [], similarity: [], setup: [], warnings: [],
};

const log = (line) => console.log(line);
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const sizeLabel = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : `${n}`);

/** n random unit vectors (seeded mulberry32: every run searches the same data). */
function unitRows(n, dim, seed) {
  const out = new Float32Array(n * dim);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
      out[o + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[o + j] *= inv;
  }
  return out;
}

function measureLimits(when) {
  const buffer = new Float32Array(64 * 2 ** 20).fill(1);
  for (const threads of THREADS) {
    const l = measureMachineLimits({ threads, buffer, repeats: 5, fmaSeconds: 0.25 });
    report.limits.push({ when, threads, readBandwidth: l.readBandwidth, fmaPeak: l.fmaPeak });
    log(`limits (${when}, ${threads} thr): read ${(l.readBandwidth / 1e9).toFixed(1)} GB/s, FMA ${(l.fmaPeak / 1e9).toFixed(0)} GFLOP/s`);
  }
}

function overlap(reference, got) {
  const want = new Set(reference);
  return got.filter((i) => want.has(i)).length;
}

// facecore runs with both metrics on every core, and with one thread to relate it to one core's
// limits; the variants other than the first are extrapolated beyond Q = 100 when slow.
const facecoreVariants = [
  { id: 'facecore', metric: 'cosine', threads: CORES, measureUpTo: Infinity },
  { id: 'facecore-dot', metric: 'dot', threads: CORES, measureUpTo: 100 },
  ...(CORES > 1 ? [{ id: 'facecore-1t', metric: 'cosine', threads: 1, measureUpTo: 100 }] : []),
];

/**
 * Top-k searchers: setup builds what one needs, search(state, q) runs q queries, first() gives
 * query 0's indices. Only hnswlib copies the gallery (ownsCopy): it runs in a phase of its own.
 */
function topKSearchers(gallery, querySets) {
  return [
    ...facecoreVariants.map((v) => ({
      id: v.id,
      measureUpTo: v.measureUpTo,
      setup: () => ({}),
      search: (_, q) => topK(querySets.get(q), gallery, DIM, K, { metric: v.metric, threads: v.threads }),
      first: (r) => Array.from(r.indices.slice(0, K)),
    })),
    {
      id: 'usearch',
      setup: () => ({}),
      // usearch ignores a typed array's byteOffset: the query sets are copies (slice), the gallery starts at 0.
      search: (_, q) => usearch.exactSearch(gallery, querySets.get(q), DIM, K, 'cos', CORES),
      first: (r) => Array.from(r.keys.slice(0, K), Number),
    },
    {
      id: 'onnxruntime',
      // The strongest peer: always measured up to Q = 100, where the targets compare with it.
      measureUpTo: 100,
      setupLabel: 'onnxruntime session',
      setup: async () => {
        const session = await createSession(topKModel(DIM, K), CORES);
        const batch = Math.max(1, Math.floor(ORT_MAX_SCORES_BYTES / (4 * (gallery.length / DIM))));
        const batches = new Map();
        for (const [q, rows] of querySets) {
          const list = [];
          for (let i = 0; i < q; i += batch) list.push(tensor(rows.subarray(i * DIM, Math.min(q, i + batch) * DIM), DIM));
          batches.set(q, list);
        }
        return { session, batches, gallery: tensor(gallery, DIM), batch };
      },
      search: async (s, q) => {
        const results = [];
        for (const queries of s.batches.get(q)) results.push(await s.session.run({ queries, gallery: s.gallery }));
        return results;
      },
      first: (r) => Array.from(r[0].indices.data.slice(0, K), Number),
      dispose: (s) => s.session.release(),
    },
    {
      id: 'plain',
      setup: () => ({}),
      search: (_, q) => plainTopK(querySets.get(q), gallery, DIM, K),
      first: (r) => Array.from(r.indices.slice(0, K)),
    },
    {
      id: 'hnswlib',
      ownsCopy: true,
      setupLabel: 'hnswlib index written to and loaded from a file',
      setup: () => {
        const msPerPoint = addPointMsPerPoint(gallery, DIM, 5000);
        report.setup.push({ peer: 'hnswlib addPoint(number[]), estimated', n: gallery.length / DIM, ms: (msPerPoint * gallery.length) / DIM });
        const index = loadBruteforceIndex(gallery, DIM);
        const rows = querySets.get(QUERY_COUNTS.at(-1));
        const queries = Array.from({ length: rows.length / DIM }, (_, i) => Array.from(rows.subarray(i * DIM, (i + 1) * DIM)));
        return { index, queries };
      },
      search: ({ index, queries }, q) => {
        const results = [];
        for (let i = 0; i < q; i++) results.push(index.searchKnn(queries[i], K));
        return results;
      },
      first: (r) => Array.from(r[0].neighbors),
    },
  ];
}

async function topKCases(gallery, n, querySets) {
  const cases = QUERY_COUNTS.map((q) => ({ n, q, rows: {} }));
  report.topk.push(...cases);
  const reference = Array.from(topK(querySets.get(1), gallery, DIM, K).indices);
  const note = (c, id, r) => {
    c.rows[id] = r;
    const how = r.estimatedFrom ? `~${fmt(r.ms)} ms (extrapolated from Q = ${r.estimatedFrom})` : `${fmt(r.ms)} ms (min ${fmt(r.minMs)}, ${r.runs} runs)`;
    log(`  top-k N=${sizeLabel(n)} Q=${c.q} ${id}: ${how}`);
  };

  // Searchers that share the gallery take turns case by case, so load on a shared machine hits
  // them alike; one that copies the gallery runs alone and frees its copy before the next.
  const searchers = topKSearchers(gallery, querySets);
  const groups = [searchers.filter((s) => !s.ownsCopy), ...searchers.filter((s) => s.ownsCopy).map((s) => [s])];
  for (const group of groups) {
    const states = [];
    for (const s of group) {
      const t0 = performance.now();
      states.push(await s.setup());
      const setupMs = performance.now() - t0;
      if (setupMs > 100) {
        report.setup.push({ peer: s.setupLabel ?? s.id, n, ms: setupMs });
        log(`  ${s.id} setup for N=${sizeLabel(n)}: ${fmt(setupMs)} ms`);
      }
      // One search before timing: a warm-up, and a check that it finds what facecore finds.
      s.agree = overlap(reference, s.first(await s.search(states.at(-1), 1)));
      if (s.agree < K) {
        report.warnings.push(`${s.id} N=${n}: top-${K} of query 0 shares only ${s.agree} of ${K} indices with facecore`);
        log(`  WARNING: ${report.warnings.at(-1)}`);
      }
    }
    const series = group.map((s) => new Extrapolator(PEER_MAX_CALL_MS, { measureUpTo: s.measureUpTo }));
    for (const c of cases) {
      for (const [i, s] of group.entries()) {
        note(c, s.id, { ...(await series[i].at(c.q, (q) => s.search(states[i], q), TIMING)), agree: s.agree });
      }
    }
    for (const [i, s] of group.entries()) await s.dispose?.(states[i]);
    states.length = 0;
    collectGarbage();
  }
}

function maxAbsDiff(a, b, count) {
  let m = 0;
  for (let i = 0; i < count; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function similarityCases(pool, gallery) {
  const cases = [
    { na: 1000, nb: 1000, a: pool, b: unitRows(1000, DIM, 3) },
    { na: 100, nb: gallery.length / DIM, a: pool.slice(0, 100 * DIM), b: gallery },
  ];
  for (const c of cases) {
    const row = { na: c.na, nb: c.nb, rows: {} };
    report.similarity.push(row);
    const label = `${sizeLabel(c.na)}x${sizeLabel(c.nb)}`;
    const note = (id, r) => {
      row.rows[id] = r;
      const how = r.estimatedFrom ? `~${fmt(r.ms)} ms (extrapolated from ${r.estimatedFrom} rows)` : `${fmt(r.ms)} ms (min ${fmt(r.minMs)}, ${r.runs} runs)`;
      log(`  similarity ${label} ${id}: ${how}`);
    };
    const out = new Float32Array(c.na * c.nb).fill(0);
    for (const v of facecoreVariants) {
      note(v.id, await measure(() => similarityMatrix(c.a, c.b, DIM, { metric: v.metric, threads: v.threads, out }), TIMING));
    }
    const reference = similarityMatrix(c.a, c.b, DIM, { metric: 'dot' });

    const session = await createSession(similarityModel(DIM), CORES);
    const feeds = { queries: tensor(c.a, DIM), gallery: tensor(c.b, DIM) };
    const ortOut = (await session.run(feeds)).scores.data;
    const ortDiff = maxAbsDiff(reference, ortOut, c.na * c.nb);
    note('onnxruntime', { ...(await measure(() => session.run(feeds), TIMING)), maxAbsDiff: ortDiff });
    await session.release();

    // The plain loop is linear in the rows of a: time it on the first rows, extrapolate when slow.
    const series = new Extrapolator(PEER_MAX_CALL_MS);
    let plain;
    for (let rows = 10; rows <= c.na; rows *= 10) {
      plain = await series.at(rows, (r) => plainSimilarity(c.a.subarray(0, r * DIM), c.b, DIM, out), TIMING);
    }
    const plainDiff = maxAbsDiff(reference, plainSimilarity(c.a.subarray(0, DIM), c.b, DIM, out), c.nb);
    note('plain', { ...plain, maxAbsDiff: plainDiff });
    for (const [id, diff] of [['onnxruntime', ortDiff], ['plain', plainDiff]]) {
      if (!(diff < 1e-4)) report.warnings.push(`similarity ${label}: ${id} differs from facecore by ${diff}`);
    }
  }
}

/** Adds each row's ratio to facecore, and facecore's fraction of the machine limit that binds it. */
function derive() {
  const best = (key, threads) => Math.max(...report.limits.filter((l) => l.threads === threads).map((l) => l[key]));
  const roofline = (flops, bytes, ms, threads) => {
    const bw = best('readBandwidth', threads);
    const fma = best('fmaPeak', threads);
    const bound = (flops / bytes) * bw < fma ? 'bandwidth' : 'fma';
    const fraction = bound === 'bandwidth' ? bytes / (ms / 1e3) / bw : flops / (ms / 1e3) / fma;
    return { bound, fraction };
  };
  const threadsOf = (id) => facecoreVariants.find((v) => v.id === id)?.threads;
  for (const c of report.topk) {
    for (const r of Object.values(c.rows)) r.ratio = r.ms / c.rows.facecore.ms;
    for (const id of ['facecore', 'facecore-1t']) {
      const r = c.rows[id];
      if (r && !r.estimatedFrom) Object.assign(r, roofline(2 * c.q * c.n * DIM, 4 * c.n * DIM, r.ms, threadsOf(id)));
    }
  }
  for (const c of report.similarity) {
    for (const r of Object.values(c.rows)) r.ratio = r.ms / c.rows.facecore.ms;
    for (const id of ['facecore', 'facecore-1t']) {
      const r = c.rows[id];
      if (r) Object.assign(r, roofline(2 * c.na * c.nb * DIM, 4 * ((c.na + c.nb) * DIM + c.na * c.nb), r.ms, threadsOf(id)));
    }
  }
}

async function main() {
  const started = performance.now();
  log(`similarity bench: d = ${DIM}, k = ${K}, threads ${THREADS.join(' and ')}, ISA ${getIsa()}, ${report.machine.cpu}`);
  measureLimits('start');
  const pool = unitRows(1000, DIM, 1);
  const querySets = new Map(QUERY_COUNTS.map((q) => [q, pool.slice(0, q * DIM)]));
  for (const n of GALLERY_SIZES) {
    let gallery = unitRows(n, DIM, 2 + n);
    await topKCases(gallery, n, querySets);
    if (n === 100_000) await similarityCases(pool, gallery);
    gallery = undefined;
    collectGarbage();
    // Limits again after each size: on a shared machine the best of several moments is nearer the truth.
    measureLimits(`after N=${sizeLabel(n)}`);
  }
  derive();
  report.targets = checkTargets(report);
  report.seconds = (performance.now() - started) / 1e3;
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, JSON.stringify(report, null, 1));
  log('');
  log(similarityMarkdown(report));
  log(`\nwrote ${path.relative(process.cwd(), outPath)} (${report.seconds.toFixed(0)} s)`);
}

await main();
