// JPEG decoding alone: facecore's decode (sharp / libvips, ICC ignored as the default pipeline
// does) against OpenCV's and Pillow's (both on Debian's libjpeg-turbo), on the photos of the
// pipeline bench, rounds interleaved. The question it answers: is the decode the pipeline pays
// for sharp's overhead, or what any libjpeg-turbo decoder costs here?
//   npm run build:ts && node bench/decode.js [--rounds N] [--photos DIR]
// Needs ../shared/data/deepface (or --photos; one of its ".jpg" files is a WebP, decoded whole by all)
// and python3 with cv2 and PIL (Debian python3-opencv,
// python3-pil) for the peers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage } from '../dist/image/decode.js';
import { jpegSize } from '../dist/image/jpeg-size.js';
import { decodeShrunk } from '../dist/image/shrink-on-load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('--rounds', 3));
const dir = arg('--photos', path.resolve(root, '../shared/data/deepface'));
if (!fs.existsSync(dir)) {
  console.log(`skipped: no photos at ${dir} (a checkout without ../shared; pass --photos DIR)`);
  process.exit(0);
}
const files = fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(dir, f));
const bytes = files.map((f) => fs.readFileSync(f));
const MAX_SIDE = 960; // the default FaceAnalyzer's decodeMaxSide
sharp.concurrency(1); // one thread, as the peers decode

// The DCT scale facecore's shrink-on-load picks per photo (1, 4 or 8), for the peers to match.
const factors = [];
for (const b of bytes) {
  const shrunk = await decodeShrunk(b, MAX_SIDE);
  factors.push(Math.round(shrunk.scaleX));
}

const PEER = `
import sys, time, io
import cv2
from PIL import Image
import numpy as np
cv2.setNumThreads(1)
files = sys.argv[2:]
factors = [int(f) for f in sys.argv[1].split(',')]
flags = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}
data = [np.frombuffer(open(f, 'rb').read(), np.uint8) for f in files]
def timed(fn):
    t = time.perf_counter(); c = time.process_time()
    for i, d in enumerate(data): fn(i, d)
    return (time.perf_counter() - t) * 1000 / len(data), (time.process_time() - c) * 1000 / len(data)
def pil(i, d, f):
    im = Image.open(io.BytesIO(d.tobytes()))
    if f > 1: im.draft('RGB', (im.size[0] // f, im.size[1] // f))
    im.convert('RGB').load()
out = {
  'cv2 whole': timed(lambda i, d: cv2.imdecode(d, cv2.IMREAD_COLOR)),
  'cv2 at the same scale': timed(lambda i, d: cv2.imdecode(d, flags[factors[i]])),
  'cv2 at 1/8': timed(lambda i, d: cv2.imdecode(d, cv2.IMREAD_REDUCED_COLOR_8)),
  'Pillow whole': timed(lambda i, d: pil(i, d, 1)),
  'Pillow at the same scale': timed(lambda i, d: pil(i, d, factors[i])),
}
for k, (w, c) in out.items(): print(f'{k}\\t{w}\\t{c}')
`;

function peer() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('/usr/bin/python3', ['-c', PEER, factors.join(','), ...files], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python peer failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((line) => {
    const [name, wall, cpu] = line.split('\t');
    return [name, { wall: Number(wall), cpu: Number(cpu) }];
  });
}

async function ours(name, fn) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (const b of bytes) await fn(b);
  const c = process.cpuUsage(c0);
  return [name, { wall: (performance.now() - t0) / bytes.length, cpu: (c.user + c.system) / 1000 / bytes.length }];
}

const results = new Map();
const keep = ([name, v]) => (results.get(name) ?? results.set(name, []).get(name)).push(v);
await ours('warm-up', (b) => decodeImage(b));
for (let r = 0; r < rounds; r++) {
  keep(await ours('facecore decodeShrunk (default pipeline: 1/4 or 1/8 when the long side stays >= 960, ICC ignored)', (b) => decodeShrunk(b, MAX_SIDE)));
  keep(await ours('facecore decodeImage whole (ICC ignored)', (b) => decodeImage(b)));
  for (const entry of peer()) keep(entry);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const scales = { 1: 0, 4: 0, 8: 0 };
for (const f of factors) scales[f]++;
console.log(`machine: ${os.cpus()[0].model} x${os.cpus().length}, node ${process.version}; ${files.length} photos of ${dir}`);
console.log(`(${files.filter((f, i) => jpegSize(bytes[i])).length} JPEGs; shrink-on-load picks 1/1 for ${scales[1]}, 1/4 for ${scales[4]}, 1/8 for ${scales[8]}); one thread each; median of ${rounds} interleaved rounds\n`);
console.log('| decoder | ms/photo | CPU ms/photo | vs facecore decodeShrunk |');
console.log('|---|---|---|---|');
const base = median(results.get([...results.keys()][0]).map((v) => v.wall));
for (const [name, runs] of results) {
  const wall = median(runs.map((v) => v.wall)), cpu = median(runs.map((v) => v.cpu));
  console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(wall / base).toFixed(2)}x |`);
}
