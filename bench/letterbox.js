#!/usr/bin/env node
// The detector's input canvas, two ways, interleaved photo by photo on the same decoded photos:
//  - sharp: letterbox() (sharp resize + extend, raw in and out) then toNchw (a JS packing loop),
//    what the detector runner did before;
//  - native: letterboxTensor() (src/image/letterbox-tensor.ts: 2x2-box halvings + bilinear warp,
//    padding, normalisation and NCHW in one native pass), what it does now.
// Canvas: YuNet's dynamic one (longer side 480, multiples of 32), BGR 0..255.
//
//   npm run build:ts && node bench/letterbox.js [--rounds N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../dist/image/decode.js';
import { letterbox } from '../dist/image/letterbox.js';
import { letterboxTensor } from '../dist/image/letterbox-tensor.js';
import { toNchw } from '../dist/image/tensor.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const dir = path.resolve(process.env.FACECORE_SHARED ?? path.join(root, '../shared'), 'data/deepface');
const files = fs.existsSync(dir)
  ? fs.readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(dir, f))
  : [1, 2, 3, 4, 5, 6].map((n) => path.join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const images = [];
for (const f of files) images.push(await decodeImage(f));
const norm = { mean: [0, 0, 0], std: [1, 1, 1], order: 'bgr' };
const canvas = (im) => {
  const s = 480 / Math.max(im.width, im.height);
  return [Math.max(32, Math.ceil((im.width * s) / 32) * 32), Math.max(32, Math.ceil((im.height * s) / 32) * 32)];
};
const ways = {
  'sharp letterbox + JS toNchw (before)': async (im, w, h) => toNchw((await letterbox(im, w, h, 0)).data, w, h, norm),
  'letterboxTensor, one native warp (now)': async (im, w, h) => (await letterboxTensor(im, w, h, 0, norm)).data,
};
const ms = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
for (let r = 0; r <= rounds; r++) {
  const sums = Object.fromEntries(Object.keys(ways).map((k) => [k, 0]));
  for (const im of images) {
    const [w, h] = canvas(im);
    for (const [k, f] of Object.entries(ways)) {
      const t = performance.now();
      await f(im, w, h);
      sums[k] += performance.now() - t;
    }
  }
  if (r > 0) for (const k in sums) ms[k].push(sums[k] / images.length); // round 0 warms up
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mp = images.reduce((a, im) => a + im.width * im.height, 0) / images.length / 1e6;
const base = median(ms[Object.keys(ways)[0]]);
console.log(`machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}; ${images.length} photos (mean ${mp.toFixed(2)} MP) to a 480 canvas; median of ${rounds} interleaved rounds after a warm-up round\n`);
console.log('| canvas | ms/photo | speed-up |\n|---|---|---|');
for (const k in ms) console.log(`| ${k} | ${median(ms[k]).toFixed(2)} | ${(base / median(ms[k])).toFixed(1)}x |`);
