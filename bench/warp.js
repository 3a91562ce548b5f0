// Benchmark: 64 face crops of 112x112 from a 1920x1280 RGB image (rotation ±15°, scale 0.05..0.5),
// facecore (uint8; fused float32 NCHW; uint8 + a separate JS normalisation pass) against sharp
// (affine on the raw buffer, per crop), OpenCV.js cv.warpAffine and a plain JS/TS bilinear loop.
// Prints µs per crop for a single crop and for the 64-crop batch, and ratios.
// Run: npx tsc -p tsconfig.build.json && node bench/warp.js [--time ms]
import { createRequire } from 'node:module';
import os from 'node:os';
import sharp from 'sharp';
import { Bench } from 'tinybench';
import { getIsa, warpAffine, defaultThreads } from '../dist/index.js';

const require = createRequire(import.meta.url);
const argTime = process.argv.indexOf('--time');
const TIME = argTime > 0 ? Number(process.argv[argTime + 1]) : 400;
const W = 1920, H = 1280, C = 3, S = 112, N = 64;

// A textured image (smooth bands + noise), deterministic.
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const data = new Uint8Array(W * H * C);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++)
    for (let k = 0; k < C; k++)
      data[(y * W + x) * C + k] = Math.max(0, Math.min(255, 128 + 90 * Math.sin(x / 37 + k) * Math.cos(y / 23) + (rand() - 0.5) * 60));
const image = { data, width: W, height: H, channels: C };

// M maps a face of 112/scale source pixels around (cx, cy) onto the 112x112 crop.
const matrices = [];
for (let i = 0; i < N; i++) {
  const angle = ((rand() - 0.5) * 30 * Math.PI) / 180, scale = 0.05 + rand() * 0.45;
  const cx = 200 + rand() * (W - 400), cy = 200 + rand() * (H - 400);
  const a = Math.cos(angle) * scale, b = -Math.sin(angle) * scale, d = -b, e = a;
  matrices.push([a, b, S / 2 - (a * cx + b * cy), d, e, S / 2 - (d * cx + e * cy)]);
}
const invert = (m) => {
  const det = m[0] * m[4] - m[1] * m[3];
  const a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
};
const inverses = matrices.map(invert);
const MEAN = 127.5, STD = 127.5;

// Plain JS/TS bilinear warp (what a user writes without a native helper), border 0.
function jsWarp(inv, out) {
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      const o = (y * S + x) * C;
      for (let k = 0; k < C; k++) {
        const p = (xx, yy) => (xx < 0 || yy < 0 || xx >= W || yy >= H ? 0 : data[(yy * W + xx) * C + k]);
        const top = p(x0, y0) + fx * (p(x0 + 1, y0) - p(x0, y0));
        const bot = p(x0, y0 + 1) + fx * (p(x0 + 1, y0 + 1) - p(x0, y0 + 1));
        out[o + k] = top + fy * (bot - top) + 0.5;
      }
    }
  }
}

// sharp: affine of the whole raw image, then the 112x112 window where the crop lands.
async function sharpCrop(m) {
  const corners = [[0, 0], [W, 0], [0, H], [W, H]].map(([x, y]) => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]]);
  const left = Math.floor(Math.min(...corners.map((c) => c[0]))), top = Math.floor(Math.min(...corners.map((c) => c[1])));
  const ow = Math.ceil(Math.max(...corners.map((c) => c[0]))) - left, oh = Math.ceil(Math.max(...corners.map((c) => c[1]))) - top;
  const ex = Math.max(0, Math.min(-left, ow - S)), ey = Math.max(0, Math.min(-top, oh - S));
  const pipeline = sharp(data, { raw: { width: W, height: H, channels: C } })
    .affine([m[0], m[1], m[3], m[4]], { odx: m[2], ody: m[5], interpolator: sharp.interpolators.bilinear, background: '#000' });
  if (ow >= S && oh >= S) pipeline.extract({ left: ex, top: ey, width: S, height: S });
  return pipeline.raw().toBuffer();
}

// The emscripten module is a thenable that resolves to itself: wait for its runtime, and never
// await or return the module itself (that loops forever).
async function loadOpenCv() {
  const cv = require('@techstark/opencv-js');
  if (!cv.Mat) await new Promise((resolve) => { cv.onRuntimeInitialized = resolve; });
  return { cv };
}

const { cv } = await loadOpenCv();
const cvSrc = new cv.Mat(H, W, cv.CV_8UC3);
cvSrc.data.set(data);
const cvDst = new cv.Mat(S, S, cv.CV_8UC3), cvM = new cv.Mat(2, 3, cv.CV_64F), cvSize = new cv.Size(S, S), cvZero = new cv.Scalar(0, 0, 0, 0);
const cvWarp = (m) => {
  cvM.data64F.set(m);
  cv.warpAffine(cvSrc, cvDst, cvM, cvSize, cv.INTER_LINEAR, cv.BORDER_CONSTANT, cvZero);
};

const u8One = new Uint8Array(S * S * C), u8All = new Uint8Array(N * S * S * C);
const f32One = new Float32Array(3 * S * S), f32All = new Float32Array(N * 3 * S * S);
const jsOut = new Uint8Array(S * S * C);
const flat = Float64Array.from(matrices.flat());
const one = flat.subarray(0, 6);
const norm = { output: 'float32-nchw', mean: MEAN, std: STD };
// The unfused alternative: uint8 crops, then a JS pass to planar normalised floats.
function normalisePass(u8, out, n) {
  const plane = S * S;
  for (let i = 0; i < n; i++)
    for (let p = 0; p < plane; p++)
      for (let k = 0; k < 3; k++) out[(i * 3 + k) * plane + p] = (u8[(i * plane + p) * 3 + k] - MEAN) / STD;
}

const bench = new Bench({ time: TIME, warmupTime: 100 });
const cases = [
  // [name, crops per iteration, fn]
  ['facecore uint8 (1 crop)', 1, () => warpAffine(image, one, { width: S, height: S, out: u8One })],
  ['facecore float32-nchw fused (1 crop)', 1, () => warpAffine(image, one, { width: S, height: S, ...norm, out: f32One })],
  ['facecore uint8 + JS normalise (1 crop)', 1, () => { warpAffine(image, one, { width: S, height: S, out: u8One }); normalisePass(u8One, f32One, 1); }],
  ['facecore uint8 1 thread (1 crop)', 1, () => warpAffine(image, one, { width: S, height: S, out: u8One, threads: 1 })],
  [`facecore uint8 (${N} crops)`, N, () => warpAffine(image, flat, { width: S, height: S, out: u8All })],
  [`facecore float32-nchw fused (${N} crops)`, N, () => warpAffine(image, flat, { width: S, height: S, ...norm, out: f32All })],
  [`facecore uint8 + JS normalise (${N} crops)`, N, () => { warpAffine(image, flat, { width: S, height: S, out: u8All }); normalisePass(u8All, f32All, N); }],
  [`facecore uint8 1 thread (${N} crops)`, N, () => warpAffine(image, flat, { width: S, height: S, out: u8All, threads: 1 })],
  [`facecore float32-nchw 1 thread (${N} crops)`, N, () => warpAffine(image, flat, { width: S, height: S, ...norm, out: f32All, threads: 1 })],
  [`OpenCV.js cv.warpAffine (${N} crops, 1 by 1)`, N, () => { for (const m of matrices) cvWarp(m); }],
  [`plain JS/TS bilinear (${N} crops, 1 by 1)`, N, () => { for (const m of inverses) jsWarp(m, jsOut); }],
  ['sharp affine + extract (8 crops, 1 by 1)', 8, async () => { for (let i = 0; i < 8; i++) await sharpCrop(matrices[i]); }],
];
for (const [name, , fn] of cases) bench.add(name, fn);
await bench.run();

const perCrop = new Map();
const rows = bench.tasks.map((t, i) => {
  const r = t.result;
  if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state} ${r.error ?? ''}`);
  const us = (r.latency.p50 * 1000) / cases[i][1];
  perCrop.set(t.name, us);
  return { task: t.name, 'median µs/crop': us.toFixed(2), 'mean µs/iter': (r.latency.mean * 1000).toFixed(1), samples: r.latency.samplesCount ?? r.latency.samples?.length };
});
console.log(`warpAffine bench: ${N} crops ${S}x${S} from ${W}x${H}x${C}; ISA ${getIsa()}, ${defaultThreads()} threads, ${os.cpus()[0].model}, node ${process.version}`);
console.table(rows);
const batch = perCrop.get(`facecore uint8 (${N} crops)`), batch1 = perCrop.get(`facecore uint8 1 thread (${N} crops)`);
const ratio = (peer, ours) => `${(perCrop.get(peer) / ours).toFixed(1)}x`;
console.table([
  { vs: 'sharp affine', 'facecore batch': ratio('sharp affine + extract (8 crops, 1 by 1)', batch), '1 thread': ratio('sharp affine + extract (8 crops, 1 by 1)', batch1) },
  { vs: 'OpenCV.js', 'facecore batch': ratio(`OpenCV.js cv.warpAffine (${N} crops, 1 by 1)`, batch), '1 thread': ratio(`OpenCV.js cv.warpAffine (${N} crops, 1 by 1)`, batch1) },
  { vs: 'plain JS/TS', 'facecore batch': ratio(`plain JS/TS bilinear (${N} crops, 1 by 1)`, batch), '1 thread': ratio(`plain JS/TS bilinear (${N} crops, 1 by 1)`, batch1) },
  { vs: 'uint8 + JS normalise (fused gain)', 'facecore batch': ratio(`facecore uint8 + JS normalise (${N} crops)`, perCrop.get(`facecore float32-nchw fused (${N} crops)`)), '1 thread': '' },
]);
cvSrc.delete(); cvDst.delete(); cvM.delete();
