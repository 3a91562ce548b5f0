#!/usr/bin/env node
// Chooses the default detector and recogniser by measurement: every detector x recogniser
// candidate on every ../shared/data/*/pairs.csv, reporting AUC, EER, TAR@FAR=1e-2 and the
// best-threshold accuracy, plus each recogniser's threshold at FAR = 1e-3 (pooled pairs) for
// verify(). Writes docs/model-selection.md and prints the calibration as JSON.
//
//   npm run build:ts && node tools/select-models.js [--quick]
//
// Protocol: each photo is decoded and detected once per detector; the face used is the one
// nearest the image centre among faces at least 30% the area of the largest (LFW-style photos
// may show other people in the background). A photo without a face scores -1 in every pair it
// is in (a miss counts against the candidate). Embeddings are cosine-compared.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../dist/image/decode.js';
import { loadDetector, loadRecognizer } from '../dist/models/registry.js';
import { alignForRecognizer } from '../dist/pipeline/align-step.js';
import { thresholdAtFar, verificationMetrics } from '../dist/eval/metrics.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const data = path.join(shared, 'data');
const models = path.join(shared, 'models');
if (!fs.existsSync(data)) {
  console.error(`select-models: ${data} is absent; it needs the shared evaluation photos.`);
  process.exit(1);
}
const quick = process.argv.includes('--quick');

const DETECTORS = [
  { id: 'blazeface (npm)', model: 'blazeface', npm: true },
  { id: 'scrfd det_500m', model: path.join(models, 'det_500m.onnx') },
  { id: 'scrfd det_2.5g', model: path.join(models, 'det_2.5g.onnx') },
  { id: 'yunet_n 640', model: path.join(models, 'yunet_n_640_640.onnx') },
  { id: 'yunet_s 640', model: path.join(models, 'yunet_s_640_640.onnx') },
  { id: 'retinaface mnet0.25', model: path.join(models, 'retinaface_mnet025_640.onnx') },
];
const RECOGNIZERS = [
  { id: 'faceres (npm)', model: 'faceres', npm: true },
  { id: 'mobileface (npm)', model: 'mobileface', npm: true },
  { id: 'mobilefacenet (npm)', model: 'mobilefacenet', npm: true },
  { id: 'foamliu mobilefacenet', model: path.join(models, 'mobilefacenet.onnx') },
];
const FLIPS = [false, true];

function readCsv(file) {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

// Pair sets with both classes (AUC needs both).
const sets = fs.readdirSync(data)
  .filter((d) => fs.existsSync(path.join(data, d, 'pairs.csv')))
  .map((d) => ({ name: d, pairs: readCsv(path.join(data, d, 'pairs.csv')).map((p) => ({ a: path.join(d, p.file_a), b: path.join(d, p.file_b), same: p.same === '1' })) }))
  .filter((s) => s.pairs.some((p) => p.same) && s.pairs.some((p) => !p.same));
const files = [...new Set(sets.flatMap((s) => s.pairs.flatMap((p) => [p.a, p.b])))].sort();

function pickFace(faces, image) {
  if (faces.length === 0) return undefined;
  const area = (f) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
  const big = Math.max(...faces.map(area));
  const dist = (f) => Math.hypot((f.box[0] + f.box[2]) / 2 - image.width / 2, (f.box[1] + f.box[3]) / 2 - image.height / 2);
  return faces.filter((f) => area(f) >= 0.3 * big).sort((x, y) => dist(x) - dist(y))[0];
}

// Metrics from src/eval (exact over all thresholds; TAR@FAR without interpolation).
function metrics(pos, neg) {
  const scores = Float64Array.from([...pos, ...neg]);
  const same = Uint8Array.from([...pos.map(() => 1), ...neg.map(() => 0)]);
  const m = verificationMetrics(scores, same, { farTargets: [1e-2] });
  return { auc: m.auc, eer: m.eer.eer, tar2: m.tarAtFar[0].tar ?? NaN, best: m.bestAccuracy.accuracy };
}

const fmt = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function main() {
  const started = Date.now();
  const images = new Map();
  for (const f of files) images.set(f, await decodeImage(path.join(data, f)));
  console.error(`decoded ${files.length} photos from ${sets.length} pair sets`);
  const detectorIds = quick ? DETECTORS.slice(0, 2) : DETECTORS;
  const results = []; // { detector, recognizer, flip, set, ...metrics, misses }
  const calibration = {};
  const timing = {};
  for (const d of detectorIds) {
    const detector = await loadDetector(d.model);
    const faces = new Map();
    let t = performance.now();
    for (const f of files) faces.set(f, pickFace(await detector.detect(images.get(f)), images.get(f)));
    timing[d.id] = { detectMs: (performance.now() - t) / files.length };
    const misses = files.filter((f) => !faces.get(f));
    console.error(`${d.id}: ${misses.length} photos without a face${misses.length ? ' (' + misses.slice(0, 5).join(', ') + (misses.length > 5 ? ', ...' : '') + ')' : ''}`);
    for (const r of RECOGNIZERS) {
      for (const flip of FLIPS) {
        const recognizer = await loadRecognizer(r.model, { flip });
        const emb = new Map();
        t = performance.now();
        for (const f of files) {
          const face = faces.get(f);
          if (!face) continue;
          const crops = await alignForRecognizer(images.get(f), [face], detector.landmarkKind, recognizer.preprocessing);
          emb.set(f, await recognizer.embed(crops, 1));
        }
        timing[`${r.id}${flip ? ' +flip' : ''}`] = { embedMs: (performance.now() - t) / emb.size };
        const pooled = { scores: [], same: [] };
        for (const s of sets) {
          const pos = [], neg = [];
          for (const p of s.pairs) {
            const ea = emb.get(p.a), eb = emb.get(p.b);
            let score = -1;
            if (ea && eb) { score = 0; for (let i = 0; i < ea.length; i++) score += ea[i] * eb[i]; }
            (p.same ? pos : neg).push(score);
          }
          pooled.scores.push(...pos, ...neg);
          pooled.same.push(...pos.map(() => 1), ...neg.map(() => 0));
          results.push({ detector: d.id, recognizer: r.id, flip, set: s.name, pairs: s.pairs.length, misses: s.pairs.filter((p) => !emb.has(p.a) || !emb.has(p.b)).length, ...metrics(pos, neg) });
        }
        const key = `${r.id}${flip ? ' +flip' : ''} + ${d.id}`;
        const cal = thresholdAtFar(Float64Array.from(pooled.scores), Uint8Array.from(pooled.same), 1e-3);
        calibration[key] = { far1e3: cal.threshold, tar: cal.tar, achievedFar: cal.achievedFar, negatives: pooled.same.filter((x) => !x).length };
        await recognizer.dispose();
        console.error(`  ${r.id}${flip ? ' +flip' : ''}: mean AUC ${fmt(mean(results.slice(-sets.length).map((x) => x.auc)))}`);
      }
    }
    await detector.dispose();
  }
  write(results, calibration, timing, Date.now() - started);
  console.log(JSON.stringify(calibration, null, 2));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function write(results, calibration, timing, ms) {
  const combos = [...new Set(results.map((r) => `${r.recognizer}${r.flip ? ' +flip' : ''} + ${r.detector}`))];
  const summary = combos.map((c) => {
    const rows = results.filter((r) => `${r.recognizer}${r.flip ? ' +flip' : ''} + ${r.detector}` === c);
    return { combo: c, auc: mean(rows.map((r) => r.auc)), minAuc: Math.min(...rows.map((r) => r.auc)), eer: mean(rows.map((r) => r.eer)), tar2: mean(rows.map((r) => r.tar2)), best: mean(rows.map((r) => r.best)), misses: rows.reduce((a, r) => a + r.misses, 0) };
  }).sort((a, b) => b.auc - a.auc || a.eer - b.eer);
  const lines = [];
  lines.push('# Model selection (measured)', '');
  lines.push(`Generated by \`node tools/select-models.js\` (${new Date().toISOString().slice(0, 10)}, ${(ms / 1000).toFixed(0)} s on a shared 2-core machine).`);
  lines.push('Every detector x recogniser (x flip test-time augmentation) on every `../shared/data/*/pairs.csv` with both classes:');
  lines.push(sets.map((s) => `${s.name} (${s.pairs.length} pairs)`).join(', ') + '.');
  lines.push('Face used: nearest the centre among faces >= 30% of the largest; a photo without a face scores -1 (a miss).');
  lines.push('Metrics (src/eval): AUC, EER, TAR at FAR <= 1e-2 (no interpolation), best-threshold accuracy; exact over all thresholds.\nThreshold @ FAR=1e-3: src/eval thresholdAtFar on the pairs of all sets pooled (the strictest threshold reaching the best TAR with FAR <= 1e-3); TAR there in brackets.', '');
  lines.push('## Summary (mean over the pair sets, best first)', '');
  lines.push('| recogniser + detector | mean AUC | min AUC | mean EER | mean TAR@FAR=1e-2 | mean best acc. | pairs with a miss | threshold @ FAR=1e-3 (pooled) |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const s of summary) lines.push(`| ${s.combo} | ${fmt(s.auc)} | ${fmt(s.minAuc)} | ${fmt(s.eer)} | ${fmt(s.tar2)} | ${fmt(s.best)} | ${s.misses} | ${fmt(calibration[s.combo].far1e3 ?? NaN, 3)} (${fmt(calibration[s.combo].tar ?? NaN, 3)}) |`);
  lines.push('', '## Speed on this machine (per photo / per face, ms; noisy: shared machine)', '');
  lines.push('| model | detect ms/photo | embed ms/face |', '|---|---|---|');
  for (const [k, v] of Object.entries(timing)) lines.push(`| ${k} | ${fmt(v.detectMs ?? NaN, 1)} | ${fmt(v.embedMs ?? NaN, 1)} |`);
  lines.push('', '## Per pair set', '');
  lines.push('| recogniser | flip | detector | set | pairs | AUC | EER | TAR@FAR=1e-2 | best acc. | pairs with a miss |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) lines.push(`| ${r.recognizer} | ${r.flip ? 'yes' : 'no'} | ${r.detector} | ${r.set} | ${r.pairs} | ${fmt(r.auc)} | ${fmt(r.eer)} | ${fmt(r.tar2)} | ${fmt(r.best)} | ${r.misses} |`);
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', quick ? 'model-selection-quick.md' : 'model-selection.md'), lines.join('\n') + '\n');
}

await main();
