#!/usr/bin/env node
// End-to-end face pipeline throughput: decode -> detect -> align -> embed on
// @vladmandic/face-api's demo photos (sample1..6.jpg), facecore's FaceAnalyzer with its default
// models (BlazeFace + faceres, onnxruntime-node) side by side with @vladmandic/face-api on
// @tensorflow/tfjs (SSD MobileNet v1 + 68 landmarks + ResNet-34 descriptors; the JS face
// pipeline a Node user has today) on the WASM backend (face-api's own Node/WASM demo; the pure-JS
// 'cpu' backend is measured on one photo for reference). Photos are decoded by sharp for both.
//
//   npm run build:ts && node bench/pipeline.js [--rounds N]
//
// Reports photos/s, faces/s, time per stage, and facecore's non-model overhead (everything but
// onnxruntime's run: decode, resize, tensor packing, NMS, alignment, copies to the inference thread).
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceAnalyzer } from '../dist/pipeline/face-analyzer.js';
import { inferenceTime } from '../dist/models/session.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const photos = [1, 2, 3, 4, 5, 6].map((n) => path.join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchFacecore() {
  const analyzer = await FaceAnalyzer.create();
  for (const p of photos) await analyzer.analyze(p); // warm-up
  const walls = [];
  let faces = 0;
  const stages = { decode: 0, detect: 0, align: 0, embed: 0 };
  const model0 = inferenceTime();
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    faces = 0;
    for (const p of photos) faces += (await analyzer.analyze(p, { timings: stages })).length;
    walls.push(performance.now() - t0);
  }
  const model = (inferenceTime() - model0) / rounds;
  for (const k of Object.keys(stages)) stages[k] /= rounds;
  // analyzeBatch overlaps decoding with inference.
  const batchWalls = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await analyzer.analyzeBatch(photos, { concurrency: 2 });
    batchWalls.push(performance.now() - t0);
  }
  await analyzer.dispose();
  return { wall: median(walls), batchWall: median(batchWalls), faces, stages, model };
}

async function benchFaceApi(backend) {
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const modelDir = path.join(root, 'node_modules/@vladmandic/face-api/model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  const analyze = async (p) => {
    const { data, info } = await sharp(p).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const tensor = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
    try {
      return await faceapi.detectAllFaces(tensor, options).withFaceLandmarks().withFaceDescriptors();
    } finally {
      tf.dispose(tensor);
    }
  };
  const set = backend === 'wasm' ? photos : photos.slice(0, 1);
  for (const p of set) await analyze(p); // warm-up
  const walls = [];
  let faces = 0;
  for (let r = 0; r < (backend === 'wasm' ? rounds : 1); r++) {
    const t0 = performance.now();
    faces = 0;
    for (const p of set) faces += (await analyze(p)).length;
    walls.push(performance.now() - t0);
  }
  return { wall: median(walls), faces, photos: set.length };
}

const ours = await benchFacecore();
const peer = await benchFaceApi('wasm');
const cpu = process.argv.includes('--no-cpu') ? undefined : await benchFaceApi('cpu');

const rate = (n, ms) => (n / (ms / 1000)).toFixed(1);
const lines = [];
lines.push(`machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}; median of ${rounds} rounds over ${photos.length} photos after a warm-up pass`);
lines.push('');
lines.push('| pipeline | photos/s | faces/s | ms/photo | faces found |');
lines.push('|---|---|---|---|---|');
lines.push(`| facecore FaceAnalyzer (BlazeFace + faceres, onnxruntime-node), analyze() one by one | ${rate(photos.length, ours.wall)} | ${rate(ours.faces, ours.wall)} | ${(ours.wall / photos.length).toFixed(1)} | ${ours.faces} |`);
lines.push(`| facecore analyzeBatch(concurrency 2) | ${rate(photos.length, ours.batchWall)} | ${rate(ours.faces, ours.batchWall)} | ${(ours.batchWall / photos.length).toFixed(1)} | ${ours.faces} |`);
lines.push(`| @vladmandic/face-api (SSD + landmarks + descriptors), tfjs WASM | ${rate(photos.length, peer.wall)} | ${rate(peer.faces, peer.wall)} | ${(peer.wall / photos.length).toFixed(1)} | ${peer.faces} |`);
if (cpu) lines.push(`| @vladmandic/face-api, tfjs 'cpu' backend (1 photo) | ${rate(cpu.photos, cpu.wall)} | ${rate(cpu.faces, cpu.wall)} | ${(cpu.wall / cpu.photos).toFixed(1)} | ${cpu.faces} |`);
lines.push('');
lines.push(`faces/s ratio facecore / face-api (WASM): ${((ours.faces / ours.wall) / (peer.faces / peer.wall)).toFixed(2)}x one by one, ${((ours.faces / ours.batchWall) / (peer.faces / peer.wall)).toFixed(2)}x batched`);
lines.push('');
lines.push('facecore time per round (6 photos), by stage:');
lines.push('');
lines.push('| stage | ms | share |');
lines.push('|---|---|---|');
const total = Object.values(ours.stages).reduce((a, b) => a + b, 0);
for (const [k, v] of Object.entries(ours.stages)) lines.push(`| ${k} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)}% |`);
lines.push(`| (model inference inside detect + embed) | ${ours.model.toFixed(1)} | ${((100 * ours.model) / total).toFixed(1)}% |`);
lines.push(`| non-model overhead (all but inference) | ${(total - ours.model).toFixed(1)} | ${((100 * (total - ours.model)) / total).toFixed(1)}% |`);
lines.push(`| non-model overhead without decode | ${(total - ours.model - ours.stages.decode).toFixed(1)} | ${((100 * (total - ours.model - ours.stages.decode)) / total).toFixed(1)}% |`);
console.log(lines.join('\n'));
