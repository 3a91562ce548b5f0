// People benchmark (one run, peers side by side). Modes:
//   node bench/people.js photos      BCubed / pairwise F on the shared labelled photos (default models:
//                                    YuNet + MobileFaceNet), batch and one face at a time
//   node bench/people.js planted [n] [rounds]  planted 512-d clusters: clusterEmbeddingsAsync vs scikit-learn DBSCAN
//   node bench/people.js scale [n] [f32|i8|ivf] [average|core]  n planted faces: time and peak memory of
//                                    clusterEmbeddingsAsync (ivf: the approximate graph)
//   node bench/people.js versus [n] [seeds]  graph 'ivf' against the exact graph on planted faces
//                                    (generator seeds, comma-separated): people, faces labelled differently, seconds
//   node bench/people.js adds [n] [exact:upTo,projected,hnsw]  PeopleIndex incremental adds: faces/s and µs per
//                                    add per 10k block as the index grows, the people searches interleaved (each up to upTo)
//   node bench/people.js             all four at sizes that run in minutes (what `npm run bench people` does)
// Needs `npx tsc -p tsconfig.build.json` first (imports dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const PHOTO_CACHE = '/tmp/facecore-people-photos-defaults.json';

/** The shared labelled photos' main-face embeddings with the shipped default models (YuNet-n +
 * MobileFaceNet, as `facecore cluster` runs them), cached (identity, file, embedding). */
export async function photoEmbeddings() {
  if (fs.existsSync(PHOTO_CACHE)) return JSON.parse(fs.readFileSync(PHOTO_CACHE, 'utf8'));
  const { FaceAnalyzer, decodeImage } = await import('../dist/index.js');
  const { mainFace } = await import('../dist/cli/models.js');
  const analyzer = await FaceAnalyzer.create();
  const out = [];
  for (const source of fs.readdirSync(path.join(shared, 'data'))) {
    const labels = path.join(shared, 'data', source, 'labels.csv');
    if (!fs.existsSync(labels)) continue;
    for (const line of fs.readFileSync(labels, 'utf8').trim().split('\n').slice(1)) {
      const [file, identity] = line.split(',');
      if (!identity || identity === 'unknown') continue;
      const photo = path.join(shared, 'data', source, file);
      const image = await decodeImage(photo);
      const face = mainFace(await analyzer.analyze(image), image.width, image.height);
      if (face) out.push({ identity: `${source}/${identity}`, file: `${source}/${file}`, embedding: Array.from(face.embedding) });
    }
  }
  await analyzer.dispose();
  fs.writeFileSync(PHOTO_CACHE, JSON.stringify(out));
  return out;
}

const mode = process.argv[2];
if (mode === 'embed') {
  const faces = await photoEmbeddings();
  console.log(`${faces.length} faces, ${new Set(faces.map((f) => f.identity)).size} identities -> ${PHOTO_CACHE}`);
}

const lib = () => import('../dist/index.js');
const peopleLib = () => import('../dist/people/people-index.js');
const fmt = (x, d = 3) => x.toFixed(d);

// --- photos: quality on the shared labelled photos ---------------------------------------
async function photos() {
  const { clusterEmbeddingsAsync, clusteringScores } = await lib();
  const { PeopleIndex } = await peopleLib();
  const faces = await photoEmbeddings();
  const dim = faces[0].embedding.length, x = new Float32Array(faces.length * dim);
  faces.forEach((f, i) => x.set(f.embedding, i * dim));
  const truth = faces.map((f) => f.identity);
  console.log(`${faces.length} faces of ${new Set(truth).size} identities (shipped defaults YuNet-n + MobileFaceNet, main face per photo)\n`);
  console.log('| threshold | average: BCubed F / pairwise F / people | average, i8 | single | core (minFaces 2) | PeopleIndex one at a time | same, shuffled |');
  console.log('|---|---|---|---|---|---|---|');
  const cell = (labels) => {
    const s = clusteringScores(truth, labels);
    return `${fmt(s.bcubed.f)} / ${fmt(s.pairwise.f)} / ${s.clusters}`;
  };
  const oneByOne = async (t, order, peopleSearch = 'exact') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'people-bench-'));
    const people = await PeopleIndex.open(path.join(dir, 'p.fci'), { dim, threshold: t, durability: 'none', peopleSearch });
    const labels = new Int32Array(faces.length);
    for (const i of order) labels[i] = Number((await people.add([`f${i}`], x.subarray(i * dim, (i + 1) * dim)))[0].slice(1));
    await people.close();
    fs.rmSync(dir, { recursive: true });
    return labels;
  };
  const ordered = faces.map((_, i) => i);
  const shuffled = [...ordered];
  let seed = 7;
  for (let i = shuffled.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const same = new Set(['projected', 'hnsw']);
  let ivfDiffers = 0;
  for (const t of [0.2, 0.25, 0.27, 0.3, 0.35, 0.4, 0.45, 0.5]) {
    const row = [t];
    for (const [linkage, minFaces, storage] of [['average', 1, 'f32'], ['average', 1, 'i8'], ['single', 1], ['core', 2]]) {
      const exactGraph = (await clusterEmbeddingsAsync(x, dim, { threshold: t, linkage, minFaces, storage })).labels;
      row.push(cell(exactGraph));
      if (storage === 'i8') continue;
      const ivf = (await clusterEmbeddingsAsync(x, dim, { threshold: t, linkage, minFaces, graph: 'ivf' })).labels;
      ivfDiffers += exactGraph.some((l, i) => l !== ivf[i]) ? 1 : 0;
    }
    const exact = await oneByOne(t, shuffled);
    row.push(cell(await oneByOne(t, ordered)), cell(exact));
    console.log(`| ${row.join(' | ')} |`);
    for (const search of same) {
      const approx = await oneByOne(t, shuffled, search);
      if (exact.some((l, i) => l !== approx[i])) same.delete(search);
    }
  }
  for (const search of ['projected', 'hnsw']) {
    console.log(`PeopleIndex one at a time (shuffled) with peopleSearch '${search}': ${same.has(search) ? 'the same people as exact at every threshold' : 'differs from exact'}`);
  }
  console.log(`clusterEmbeddingsAsync with graph 'ivf' (average, single, core): ${ivfDiffers === 0 ? 'the same people as the exact graph at every threshold' : `differs from the exact graph in ${ivfDiffers} of 24 cases`}`);
}

// --- planted clusters ---------------------------------------------------------------------
/** n unit vectors in `dim` dimensions around random centres; sizes 1..40 (skewed), cos within ~0.5.
 * With `centres`, each identity's centre is pushed to it (for new faces of a known identity). */
function planted(n, dim, seed = 1, centres = null) {
  let s = seed >>> 0;
  const uniform = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const x = new Float32Array(n * dim), truth = new Int32Array(n);
  const centre = new Float32Array(dim);
  for (let i = 0, id = -1, left = 0; i < n; i++) {
    if (left === 0) {
      id++;
      left = 1 + Math.floor(40 * uniform() ** 2);
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += (centre[c] = gauss()) ** 2;
      for (let c = 0; c < dim; c++) centre[c] /= Math.sqrt(norm);
      centres?.push(Float32Array.from(centre));
    }
    left--;
    truth[i] = id;
    plantedFace(centre, gauss, x.subarray(i * dim, (i + 1) * dim));
  }
  return { x, truth };
}

/** A face of the identity at `centre`, unit length: centre + noise with |noise| ~ |centre|, so
 * cos to the centre ~0.7 and between two faces ~0.5. */
function plantedFace(centre, gauss, out = new Float32Array(centre.length)) {
  const dim = centre.length;
  let norm = 0;
  for (let c = 0; c < dim; c++) norm += (out[c] = centre[c] + gauss() / Math.sqrt(dim)) ** 2;
  for (let c = 0; c < dim; c++) out[c] /= Math.sqrt(norm);
  return out;
}

const DBSCAN_PY = `
import sys, time, numpy as np
from sklearn.cluster import DBSCAN
n, dim, eps, ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(sys.argv[5], dtype=np.float32).reshape(n, dim)
t, c = time.perf_counter(), time.process_time()
labels = DBSCAN(eps=eps, min_samples=ms, metric='cosine', algorithm='brute', n_jobs=2).fit_predict(x)
print(time.perf_counter() - t, time.process_time() - c)
labels.astype(np.int32).tofile(sys.argv[6])
`;

async function dbscan(x, n, dim, threshold, minSamples) {
  const { spawnSync } = await import('node:child_process');
  const input = `/tmp/people-planted-${n}.f32`, output = `/tmp/people-planted-${n}.labels`;
  fs.writeFileSync(input, x);
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', ['-c', DBSCAN_PY, String(n), String(dim), String(1 - threshold), String(minSamples), input, output], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const labels = new Int32Array(fs.readFileSync(output).buffer.slice(0));
  const [seconds, cpu] = r.stdout.trim().split(/\s+/).map(Number);
  return { seconds, cpu, labels };
}

// CPU seconds of this process (all its threads) while fn runs.
async function timed(fn) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return { result, seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

async function plantedVsDbscan(n, rounds = 2) {
  const { clusterEmbeddingsAsync, clusteringScores } = await lib();
  const dim = 512, { x, truth } = planted(n, dim);
  console.log(`planted: n = ${n}, dim ${dim}, ${new Set(truth).size} identities; 2 threads each; rounds interleaved\n`);
  // Per method and round: wall and CPU seconds (CPU: less moved by other jobs on a loaded machine).
  const runs = new Map();
  const note = (name, t, run, labels) => {
    if (!runs.has(name)) runs.set(name, { name, t, rounds: [], s: clusteringScores(truth, labels) });
    runs.get(name).rounds.push(run);
  };
  for (let round = 0; round < rounds; round++) {
    for (const t of [0.3]) {
      for (const storage of ['f32', 'i8']) {
        const avg = await timed(() => clusterEmbeddingsAsync(x, dim, { threshold: t, threads: 2, storage }));
        note(`facecore average (k = 20), ${storage}`, t, avg, avg.result.labels);
        const core = await timed(() => clusterEmbeddingsAsync(x, dim, { threshold: t, linkage: 'core', minFaces: 2, threads: 2, storage }));
        note(`facecore core, minFaces 2 (= DBSCAN), ${storage}`, t, core, core.result.labels);
      }
      // The approximate graph (inverted file, float32): src/cluster/ivf-graph.ts.
      const avgIvf = await timed(() => clusterEmbeddingsAsync(x, dim, { threshold: t, threads: 2, graph: 'ivf' }));
      note('facecore average (k = 20), graph ivf', t, avgIvf, avgIvf.result.labels);
      const coreIvf = await timed(() => clusterEmbeddingsAsync(x, dim, { threshold: t, linkage: 'core', minFaces: 2, threads: 2, graph: 'ivf' }));
      note('facecore core, minFaces 2 (= DBSCAN), graph ivf', t, coreIvf, coreIvf.result.labels);
      const db = await dbscan(x, n, dim, t, 2);
      note('sklearn DBSCAN brute cosine, min_samples 2', t, db, db.labels);
    }
  }
  const sklearn = [...runs.values()].at(-1).rounds;
  const best = (r, key) => Math.min(...r.rounds.map((x) => x[key]));
  console.log('| method | threshold | seconds (best of rounds) | CPU s (best) | speed vs sklearn (best) | per round: wall ratio / CPU ratio | BCubed F | pairwise F | clusters |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of runs.values()) {
    const perRound = r.rounds.map((x, i) => `${fmt(sklearn[i].seconds / x.seconds, 1)}x / ${fmt(sklearn[i].cpu / x.cpu, 1)}x`).join(', ');
    console.log(`| ${r.name} | ${r.t} | ${fmt(best(r, 'seconds'), 2)} | ${fmt(best(r, 'cpu'), 2)} | ${fmt(Math.min(...sklearn.map((x) => x.seconds)) / best(r, 'seconds'), 1)}x | ${perRound} | ${fmt(r.s.bcubed.f)} | ${fmt(r.s.pairwise.f)} | ${r.s.clusters} |`);
  }
}

async function scale(n, storage = 'f32', linkage = 'average') {
  const { clusterEmbeddingsAsync, clusteringScores } = await lib();
  const dim = 512, { x, truth } = planted(n, dim);
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  let last = 0;
  const graph = storage === 'ivf' ? 'ivf' : 'exact';
  const r = await clusterEmbeddingsAsync(x, dim, {
    threshold: 0.3, threads: 2, graph, storage: graph === 'ivf' ? undefined : storage, linkage, minFaces: linkage === 'core' ? 2 : 1,
    onProgress: (f) => { if (f - last >= 0.1) (last = f), process.stderr.write(`  ${Math.round(100 * f)}% at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`); },
  });
  const seconds = (performance.now() - t0) / 1000;
  // CPU seconds of this process / threads: what the wall time would be with the cores to itself.
  const cpu = process.cpuUsage(cpu0), cpuPerThread = (cpu.user + cpu.system) / 1e6 / 2;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const s = clusteringScores(truth, r.labels);
  console.log(`| ${n} | ${storage} | ${linkage} | ${fmt(seconds, 1)} | ${fmt(cpuPerThread, 1)} | ${fmt((peak - base) / 2 ** 20, 0)} MiB | ${fmt(s.bcubed.f)} | ${fmt(s.pairwise.f)} |`);
}

/** Faces whose person (the set of faces sharing its label; -1 = alone) differs between two labellings. */
function differingFaces(a, b) {
  const key = (l, i) => (l < 0 ? -1 - i : l);
  const ca = new Map(), cb = new Map(), cab = new Map();
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < a.length; i++) bump(ca, key(a[i], i)), bump(cb, key(b[i], i)), bump(cab, `${key(a[i], i)},${key(b[i], i)}`);
  let differ = 0;
  for (let i = 0; i < a.length; i++) {
    const both = cab.get(`${key(a[i], i)},${key(b[i], i)}`);
    if (ca.get(key(a[i], i)) !== both || cb.get(key(b[i], i)) !== both) differ++;
  }
  return differ;
}

/** The approximate graph against the exact one, same planted faces: are the people the same? */
async function versus(n, seeds) {
  const { clusterEmbeddingsAsync, clusteringScores } = await lib();
  const dim = 512;
  console.log('| seed | linkage | people: exact / ivf | BCubed F vs truth: exact / ivf | faces in a different person (ivf vs exact) | seconds: exact (f32) / ivf |');
  console.log('|---|---|---|---|---|---|');
  for (const seed of seeds) {
    const { x, truth } = planted(n, dim, seed);
    for (const linkage of ['core', 'average']) {
      const opts = { threshold: 0.3, linkage, minFaces: linkage === 'core' ? 2 : 1, threads: 2 };
      const exact = await timed(() => clusterEmbeddingsAsync(x, dim, opts));
      const ivf = await timed(() => clusterEmbeddingsAsync(x, dim, { ...opts, graph: 'ivf' }));
      const a = clusteringScores(truth, exact.result.labels), b = clusteringScores(truth, ivf.result.labels);
      const moved = differingFaces(exact.result.labels, ivf.result.labels);
      console.log(`| ${seed} | ${linkage} | ${exact.result.count} / ${ivf.result.count} | ${fmt(a.bcubed.f, 4)} / ${fmt(b.bcubed.f, 4)} | ${moved} | ${fmt(exact.seconds, 2)} / ${fmt(ivf.seconds, 2)} |`);
    }
  }
}

/** How often the exact best person is among the approximate search's 8 candidates, on new faces
 * of identities already added (`known` of them) whose exact best is a match. */
function recall(people, centres, known, threshold, samples = 50) {
  let asked = 0, found = 0, s = known;
  const uniform = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  for (let i = 0; i < samples; i++) {
    const v = plantedFace(centres[Math.floor(uniform() * known)], gauss);
    const best = people.searchPeople(v, 1, { exact: true })[0];
    if (!best || best.score < threshold) continue;
    asked++;
    if (people.searchPeople(v, 8).some((h) => h.person === best.person)) found++;
  }
  return { asked, found };
}

/** PeopleIndex adds, one index per people search, side by side: each block of faces goes to
 * every index in turn (the order rotates), timed apart; `upTo` maps a search to the faces it
 * stops after (default n). Recall of the approximate ones: sampled before each block, not timed. */
async function adds(n, upTo, batch = 1000, block = 10000) {
  const searches = [...upTo.keys()];
  const { PeopleIndex } = await peopleLib();
  const dim = 512, threshold = 0.3, centres = [], { x, truth } = planted(n, dim, 5, centres);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'people-adds-'));
  const runs = [];
  for (const search of searches) {
    const people = await PeopleIndex.open(path.join(dir, `${search}.fci`), { dim, threshold, peopleSearch: search });
    runs.push({ search, people, to: upTo.get(search) ?? n, asked: 0, found: 0 });
  }
  console.log(`PeopleIndex adds (fsync durability), batches of ${batch}, dim ${dim}, threshold ${threshold}; people searches interleaved per block of ${block}`);
  console.log('cells: faces/s, µs per add; recall: how often the exact best person is among the 8 candidates (new faces of known identities, 50 per block, cumulative)\n');
  const others = runs.filter((r) => r.search !== 'exact');
  console.log(`| faces in index | people (${searches.join(' / ')}) | ${searches.join(' | ')} | ${others.map((r) => `${r.search} recall`).join(' | ')} |`);
  console.log(`|---|---|${searches.map(() => '---|').join('')}${others.map(() => '---|').join('')}`);
  for (let b0 = 0, round = 0; b0 < n; b0 += block, round++) {
    const b1 = Math.min(n, b0 + block), rate = new Map();
    for (const run of others) {
      if (b0 === 0 || b0 >= run.to) continue;
      const r = recall(run.people, centres, truth[b0 - 1], threshold);
      (run.asked += r.asked), (run.found += r.found);
    }
    for (let j = 0; j < runs.length; j++) {
      const run = runs[(j + round) % runs.length];
      if (b0 >= run.to) continue;
      const t0 = performance.now();
      for (let i = b0; i < b1; i += batch) {
        const m = Math.min(batch, b1 - i);
        await run.people.add(Array.from({ length: m }, (_, k) => `f${i + k}`), x.subarray(i * dim, (i + m) * dim));
      }
      rate.set(run, (b1 - b0) / ((performance.now() - t0) / 1000));
    }
    const cell = (r) => (r ? `${Math.round(r)}, ${Math.round(1e6 / r)}` : '-');
    const people = runs.map((r) => (b0 < r.to ? r.people.people().length : '-')).join(' / ');
    const recalls = others.map((r) => (r.asked && b0 < r.to ? `${fmt(r.found / r.asked)} (${r.found}/${r.asked})` : '-'));
    console.log(`| ${b1} | ${people} | ${runs.map((r) => cell(rate.get(r))).join(' | ')} | ${recalls.join(' | ')} |`);
  }
  for (const run of runs) await run.people.close();
  fs.rmSync(dir, { recursive: true });
}

console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores (shared with other work: loaded, unless the run says quiet)\n`);
if (mode === undefined || mode.startsWith('--')) {
  // `npm run bench people`: every part at a size that runs in minutes.
  if (fs.existsSync(path.join(shared, 'data'))) await photos();
  await plantedVsDbscan(5000);
  console.log('\n| n | storage | linkage | seconds | CPU s / 2 threads | extra peak RSS | BCubed F | pairwise F |\n|---|---|---|---|---|---|---|---|');
  await scale(20000);
  await scale(20000, 'ivf');
  await adds(30000, new Map([['exact', 30000], ['projected', 30000], ['hnsw', 30000]]));
}
if (mode === 'photos') await photos();
if (mode === 'planted') await plantedVsDbscan(Number(process.argv[3] ?? 20000), Number(process.argv[4] ?? 2));
if (mode === 'scale') {
  console.log('| n | storage | linkage | seconds | CPU s / 2 threads | extra peak RSS | BCubed F | pairwise F |\n|---|---|---|---|---|---|---|---|');
  await scale(Number(process.argv[3] ?? 100000), process.argv[4] ?? 'f32', process.argv[5] ?? 'average');
}
if (mode === 'versus') await versus(Number(process.argv[3] ?? 20000), (process.argv[4] ?? '1,2,3,4,5').split(',').map(Number));
if (mode === 'adds') {
  // adds n [search[:upTo],...], e.g. adds 1000000 exact:150000,projected,hnsw:100000
  const n = Number(process.argv[3] ?? 200000);
  const upTo = new Map((process.argv[4] ?? 'exact,projected,hnsw').split(',').map((s) => s.split(':')).map(([s, to]) => [s, Number(to ?? n)]));
  await adds(n, upTo);
}
