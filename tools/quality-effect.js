#!/usr/bin/env node
// Does skipping low-quality faces raise TAR@FAR? Runs FaceAnalyzer (keeping every face) once
// per photo of ../shared/data/*/pairs.csv, then scores the pairs under several minFaceSize /
// minQuality settings, applying the filters as FaceAnalyzer does and then the main-face rule
// (src/cli/models.ts mainFace) to what is left.
//
// Protocol, stated in the output: a pair whose photo has no face left is
//   - "reject": a non-match (score -2, below any cosine), so TAR can only fall; FAR can only
//     fall too; quality helps only if the rejections are mostly impostor pairs that scored high;
//   - "exclude": dropped from both TAR and FAR (what `facecore eval` does with faceless photos),
//     showing whether the pairs that remain are easier, at the price of coverage.
// Metrics on all sets pooled (3531 impostor pairs: FAR 1e-3 is set by the 4th highest impostor).
//
//   npm run build:ts && node tools/quality-effect.js [--detector d.onnx|name] [--recognizer r.onnx|name] [--json]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../dist/image/decode.js';
import { FaceAnalyzer } from '../dist/pipeline/face-analyzer.js';
import { mainFace } from '../dist/cli/models.js';
import { readPairsCsv } from '../dist/eval/csv.js';
import { auc } from '../dist/eval/roc.js';
import { tarAtFar } from '../dist/eval/operating-point.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const dataDir = path.join(shared, 'data');
if (!fs.existsSync(dataDir)) {
  console.error(`quality-effect: ${dataDir} is absent; it needs the shared evaluation photos.`);
  process.exit(1);
}
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const detector = arg('detector'), recognizer = arg('recognizer');
const asJson = process.argv.includes('--json');

// Every variant is applied to the same per-photo analysis; the first is "no filter".
const VARIANTS = [
  { minFaceSize: 0, minQuality: 0 },
  { minFaceSize: 20, minQuality: 0 },
  { minFaceSize: 32, minQuality: 0 },
  { minFaceSize: 48, minQuality: 0 },
  { minFaceSize: 20, minQuality: 0.1 },
  { minFaceSize: 20, minQuality: 0.2 },
  { minFaceSize: 20, minQuality: 0.3 },
  { minFaceSize: 20, minQuality: 0.5 },
];

const sets = fs.readdirSync(dataDir).filter((d) => fs.existsSync(path.join(dataDir, d, 'pairs.csv'))).sort();
const pairs = [];
for (const set of sets) {
  for (const p of await readPairsCsv(path.join(dataDir, set, 'pairs.csv'))) {
    pairs.push({ set, a: path.join(dataDir, set, p.fileA), b: path.join(dataDir, set, p.fileB), same: p.same });
  }
}
const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];

// One analysis per photo, cached on disk by model choice and quality code (a rerun takes seconds).
const qualityCode = fs.readFileSync(path.join(root, 'dist/pipeline/quality.js'), 'utf8');
const key = crypto.createHash('sha256').update(JSON.stringify({ detector, recognizer, files, qualityCode })).digest('hex').slice(0, 12);
const cacheFile = path.join(os.tmpdir(), `facecore-quality-effect-${key}.json`);
let photos;
if (fs.existsSync(cacheFile)) {
  photos = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
} else {
  const analyzer = await FaceAnalyzer.create({ detector, recognizer, minFaceSize: 0, minQuality: 0 });
  photos = {};
  let done = 0;
  const started = performance.now();
  for (const file of files) {
    try {
      const image = await decodeImage(file);
      const faces = await analyzer.analyze(image);
      photos[file] = { width: image.width, height: image.height, faces: faces.map((f) => ({ box: f.box, quality: f.quality, embedding: Array.from(f.embedding) })) };
    } catch (err) {
      photos[file] = { width: 0, height: 0, faces: [], error: err.message };
    }
    if (++done % 100 === 0) process.stderr.write(`${done}/${files.length} photos, ${((performance.now() - started) / done).toFixed(0)} ms each\n`);
  }
  await analyzer.dispose();
  fs.writeFileSync(cacheFile, JSON.stringify(photos));
}

function faceFor(file, v) {
  const photo = photos[file];
  const kept = photo.faces.filter((f) => f.quality.size >= v.minFaceSize && f.quality.overall >= v.minQuality);
  return mainFace(kept, photo.width, photo.height);
}

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
function metrics(scores, same) {
  const s = Float64Array.from(scores), y = Uint8Array.from(same);
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === y.length) return { auc: null, tar3: null, tar2: null };
  const t = tarAtFar(s, y, [1e-3, 1e-2]);
  return { auc: auc(s, y), tar3: t[0].tar, tar2: t[1].tar };
}

const results = [];
for (const v of VARIANTS) {
  const reject = { scores: [], same: [] }, exclude = { scores: [], same: [] };
  let skippedPairs = 0, skippedPos = 0;
  for (const p of pairs) {
    const fa = faceFor(p.a, v), fb = faceFor(p.b, v);
    const score = fa && fb ? dot(fa.embedding, fb.embedding) : null;
    reject.scores.push(score ?? -2);
    reject.same.push(p.same ? 1 : 0);
    if (score === null) {
      skippedPairs++;
      if (p.same) skippedPos++;
      continue;
    }
    exclude.scores.push(score);
    exclude.same.push(p.same ? 1 : 0);
  }
  const photosWithout = files.filter((f) => !faceFor(f, v)).length;
  results.push({ ...v, photosWithoutFace: photosWithout, skippedPairs, skippedGenuine: skippedPos, reject: metrics(reject.scores, reject.same), exclude: metrics(exclude.scores, exclude.same) });
}

if (asJson) {
  console.log(JSON.stringify({ detector: detector ?? 'default', recognizer: recognizer ?? 'default', pairs: pairs.length, photos: files.length, results }, null, 2));
} else {
  const f = (x) => (x === null ? 'n/a' : x.toFixed(4));
  const name = (x) => (x ? path.basename(x) : 'default');
  console.log(`${name(recognizer)} + ${name(detector)}: ${pairs.length} pairs (${pairs.filter((p) => p.same).length} genuine), ${files.length} photos, all shared sets pooled.`);
  console.log('reject: a pair with a faceless photo is a non-match; exclude: such pairs are dropped.\n');
  console.log('| minFaceSize | minQuality | photos without face | pairs skipped (genuine) | TAR@1e-3 reject | TAR@1e-2 reject | AUC reject | TAR@1e-3 exclude | TAR@1e-2 exclude | AUC exclude |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.minFaceSize} | ${r.minQuality} | ${r.photosWithoutFace} | ${r.skippedPairs} (${r.skippedGenuine}) | ${f(r.reject.tar3)} | ${f(r.reject.tar2)} | ${f(r.reject.auc)} | ${f(r.exclude.tar3)} | ${f(r.exclude.tar2)} | ${f(r.exclude.auc)} |`);
  }
  // Spread of each quality part over the faces the unfiltered rule picks (to read the factors against).
  const picked = files.map((file) => faceFor(file, VARIANTS[0])).filter(Boolean).map((face) => face.quality);
  const q = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  console.log(`\n| part (${picked.length} main faces) | p5 | p25 | p50 | p75 | p95 |`);
  console.log('|---|---|---|---|---|---|');
  for (const part of ['score', 'size', 'yaw', 'pitch', 'roll', 'sharpness', 'overall']) {
    const xs = picked.map((x) => x[part]);
    console.log(`| ${part} | ${[0.05, 0.25, 0.5, 0.75, 0.95].map((p) => q(xs, p).toFixed(part === 'score' || part === 'overall' ? 3 : 1)).join(' | ')} |`);
  }
}
