// Benchmark: 112x112 bilinear crops (border 0) of a real photo (../shared/data, 3061x4600 RGB) at
// face scales 1..7 (the face is s times larger in the photo than in the crop: a ~112s x 112s
// footprint), similarity transforms with rotation ±15°, as alignment produces them. One thread each:
//   facecore uint8 HWC            vs  native OpenCV cv2.warpAffine (python3-opencv, uint8 HWC out)
//   facecore uint8 HWC            vs  OpenCV.js cv.warpAffine (uint8 HWC out)
//   facecore float32 NCHW fused (normalised, what a recogniser takes; no peer makes this in one step)
// Every call is one crop; contenders take turns crop set by crop set in rotating order, round after
// round (interleaved, so load on a shared machine hits all alike). Native OpenCV runs in a python
// worker that times its own calls (bench/lib/opencv-warp-worker.py); skipped if python3 cannot
// import cv2. Prints µs per crop (median and min over all calls) and median ratios.
// Run: npx tsc -p tsconfig.build.json && node bench/warp.js [--rounds n] [--image path]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { getIsa, warpAffine } from '../dist/index.js';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const ROUNDS = Number(arg('--rounds', 15));
const PHOTO = arg('--image', path.resolve(here, '../../shared/data/deepface/img40.jpg'));
const S = 112, PER_SCALE = 16, SCALES = [1, 2, 3, 5, 7];

const { data, info } = await sharp(PHOTO).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const W = info.width, H = info.height, C = info.channels;
const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: W, height: H, channels: C };

// Per scale, PER_SCALE crops at random centres (footprint inside the photo) and angles: OpenCV's M
// (crop <- photo), which facecore's warpAffine takes too.
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const sets = SCALES.map((s) => {
  const m = [];
  for (let i = 0; i < PER_SCALE; i++) {
    const angle = ((rand() - 0.5) * 30 * Math.PI) / 180, margin = 0.75 * S * s;
    const cx = margin + rand() * (W - 2 * margin), cy = margin + rand() * (H - 2 * margin);
    const a = Math.cos(angle) / s, b = -Math.sin(angle) / s;
    m.push([a, b, S / 2 - (a * cx + b * cy), -b, a, S / 2 - (-b * cx + a * cy)]);
  }
  return { s, m, flat: m.map((x) => Float64Array.from(x)) };
});

// Native OpenCV in python: its own process, its own timer, one thread; OpenBLAS tuning variables
// of this shell unset for it (they are not meant for numpy's build).
async function startOpenCv() {
  const raw = path.join(os.tmpdir(), `facecore-warp-bench-${process.pid}.rgb`);
  fs.writeFileSync(raw, image.data);
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // Debian's python3-opencv installs for the system python, which a pyenv shim may hide.
  const python = process.env.FACECORE_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const child = spawn(python, [path.join(here, 'lib/opencv-warp-worker.py')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (req) => {
    child.stdin.write(`${JSON.stringify(req)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error('opencv worker exited');
    return JSON.parse(value);
  };
  try {
    const { ready } = await ask({ image: raw, width: W, height: H, channels: C });
    return { version: ready, run: async (set) => (await ask({ m: set.m, size: S, reps: 1 })).us, stop: () => { child.stdin.end(); fs.rmSync(raw); } };
  } catch (e) {
    fs.rmSync(raw);
    console.warn(`native OpenCV skipped (python3 -c "import cv2" fails? apt-get install -y python3-opencv): ${e.message}`);
    return null;
  }
}

// The emscripten module is a thenable that resolves to itself: wait for its runtime, and never
// await or return the module itself (that loops forever).
async function loadOpenCvJs() {
  const cv = require('@techstark/opencv-js');
  if (!cv.Mat) await new Promise((resolve) => { cv.onRuntimeInitialized = resolve; });
  return { cv };
}

const { cv } = await loadOpenCvJs();
const cvSrc = new cv.Mat(H, W, cv.CV_8UC3);
cvSrc.data.set(image.data);
const cvDst = new cv.Mat(S, S, cv.CV_8UC3), cvM = new cv.Mat(2, 3, cv.CV_64F), cvSize = new cv.Size(S, S), cvZero = new cv.Scalar(0, 0, 0, 0);
const ocv = await startOpenCv();

const u8 = new Uint8Array(S * S * C), f32 = new Float32Array(3 * S * S);
const norm = { output: 'float32-nchw', mean: 127.5, std: 127.5 };
const timed = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000;
};
const contenders = [
  ['facecore uint8', async (set) => set.flat.map((m) => timed(() => warpAffine(image, m, { width: S, height: S, out: u8, threads: 1 })))],
  ['facecore float32-nchw fused', async (set) => set.flat.map((m) => timed(() => warpAffine(image, m, { width: S, height: S, ...norm, out: f32, threads: 1 })))],
  ['OpenCV.js', async (set) => set.m.map((m) => timed(() => { cvM.data64F.set(m); cv.warpAffine(cvSrc, cvDst, cvM, cvSize, cv.INTER_LINEAR, cv.BORDER_CONSTANT, cvZero); }))],
  ...(ocv ? [[`OpenCV ${ocv.version} native`, (set) => ocv.run(set)]] : []),
];

// times[scale][contender] = µs of every call
const times = sets.map(() => contenders.map(() => []));
for (let r = 0; r < ROUNDS + 1; r++) {
  for (let si = 0; si < sets.length; si++) {
    for (let j = 0; j < contenders.length; j++) {
      const ci = (j + r + si) % contenders.length;
      const us = await contenders[ci][1](sets[si]);
      if (r > 0) times[si][ci].push(...us);  // round 0 warms up
    }
  }
}
ocv?.stop();
cvSrc.delete(); cvDst.delete(); cvM.delete();

const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
console.log(`warpAffine bench: ${S}x${S} crops of ${path.basename(PHOTO)} (${W}x${H}x${C}), rotation ±15°, bilinear, border 0, one thread each; ${ROUNDS} rounds x ${PER_SCALE} crops per scale; ISA ${getIsa()}, ${os.cpus()[0].model}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.table(sets.map((set, si) => Object.fromEntries([
  ['face scale', set.s],
  ...contenders.map(([name], ci) => [`${name} µs median (min)`, `${median(times[si][ci]).toFixed(1)} (${Math.min(...times[si][ci]).toFixed(1)})`]),
])));
const ratio = (si, peer, ours) => `${(median(times[si][peer]) / median(times[si][ours])).toFixed(2)}x`;
console.table(sets.map((set, si) => Object.fromEntries([
  ['face scale', set.s],
  ...contenders.slice(2).map(([name], k) => [`uint8 faster than ${name}`, ratio(si, k + 2, 0)]),
  ['fused float32 / uint8 time', (median(times[si][1]) / median(times[si][0])).toFixed(2)],
])));
