#!/usr/bin/env node
// facecore in one run: the six group photos shipped with @vladmandic/face-api (or your own),
// the default models (nothing is downloaded). Detects, aligns and embeds every face, groups the
// same people across photos by clustering the embeddings at the recogniser's grouping
// threshold, prints a table and the people found, and writes demo-output/faces.png: the aligned
// face crops, one box per person, labelled photo#face as in the printed list.
//
//   npm run demo                       the six sample photos
//   npm run demo -- <folder|photo> ... your photos (a folder: every image in it, subfolders too)
//   node examples/demo.js [folder|photo ...] [--out dir]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceAnalyzer, alignFacesAsync, clusterEmbeddings, decodeImage } from '../dist/index.js';
import { alignmentPoints } from '../dist/pipeline/align-step.js';
import { photosUnder } from '../dist/cli/files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = path.resolve(outAt >= 0 ? args.splice(outAt, 2)[1] : path.join(root, 'demo-output'));
const demoDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const photos = [];
for (const arg of args.length > 0 ? args : [1, 2, 3, 4, 5, 6].map((i) => path.join(demoDir, `sample${i}.jpg`))) {
  const isDir = fs.statSync(arg, { throwIfNoEntry: false })?.isDirectory();
  photos.push(...(isDir ? (await photosUnder(arg)).map((f) => path.join(arg, f)) : [arg]));
}
if (photos.length === 0) {
  console.error(`no photos in ${args.join(', ')} (jpg, jpeg, png, webp, gif, tif, avif, heic)`);
  process.exit(1);
}

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
let unreadable = 0;
for (const [p, file] of photos.entries()) {
  let image;
  try {
    image = await decodeImage(file);
  } catch (err) {
    console.warn(`skipped ${file}: ${err.message}`);
    unreadable++;
    continue;
  }
  const found = await analyzer.analyze(image);
  const crops = found.length === 0 ? null
    : (await alignFacesAsync(image, found.map((f) => pick(f.landmarks)), { size: CROP, template, output: 'uint8' })).tensor;
  found.forEach((f, i) => faces.push({
    photo: p, file: path.basename(file), face: i + 1, tag: `${p + 1}#${i + 1}`, box: f.box.map(Math.round), score: f.score, embedding: f.embedding,
    crop: crops.subarray(i * CROP * CROP * 3, (i + 1) * CROP * CROP * 3),
  }));
}
const analysed = performance.now();
if (faces.length === 0) {
  console.log('no faces found');
  process.exit(1);
}

// 3. Group: agglomerative clustering (average linkage) at the threshold above.
const dim = analyzer.recognizer.dim;
const matrix = new Float32Array(faces.length * dim);
faces.forEach((f, i) => matrix.set(f.embedding, i * dim));
const { labels, count } = clusterEmbeddings(matrix, dim, { threshold, linkage: 'average' });
faces.forEach((f, i) => (f.person = labels[i] + 1));
const clustered = performance.now();

// 4. The table: one row per face (photo#face names it in the list and the picture).
const cosine = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const skipped = unreadable > 0 ? ` (${unreadable} unreadable, skipped)` : '';
console.log(`facecore demo: ${photos.length} photos${skipped}, ${faces.length} faces, ${analyzer.recognizer.id} (${dim}-d) + ${analyzer.detector.name}, grouping at cosine ${threshold}\n`);
const name = Math.max(5, ...faces.map((f) => f.file.length));
console.log(`face    ${'photo'.padEnd(name)}  box (x0, y0, x1, y1)     det.   person  best match elsewhere`);
for (const f of faces) {
  const others = faces.filter((g) => g.photo !== f.photo);
  const best = others.reduce((b, g) => { const s = cosine(f.embedding, g.embedding); return s > b.s ? { s, g } : b; }, { s: -2, g: null });
  const match = best.g ? `${best.g.tag} ${best.s.toFixed(3)}` : '';
  console.log(`${f.tag.padEnd(6)}  ${f.file.padEnd(name)}  ${f.box.join(', ').padEnd(22)} ${f.score.toFixed(2).padStart(5)}  ${String(f.person).padStart(6)}  ${match}`);
}

// The grouping, in the picture's order (biggest groups first): what a person checks by eye.
const people = Array.from({ length: count }, (_, c) => faces.filter((f) => f.person === c + 1))
  .sort((a, b) => b.length - a.length || a[0].person - b[0].person);
const repeated = people.filter((g) => new Set(g.map((f) => f.photo)).size > 1);
console.log(`\n${count} people, ${repeated.length} of them in more than one photo (photo#face, as labelled in the picture):`);
for (const g of people) {
  const files = [...new Set(g.map((f) => f.file))];
  console.log(`  person ${String(g[0].person).padStart(3)}: ${g.map((f) => f.tag).join(' ')}  (${files.join(', ')})`);
}
// The closest pair that stayed apart: how far the grouping is from merging more.
let near = { s: -2 };
for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) {
  const s = cosine(faces[i].embedding, faces[j].embedding);
  if (faces[i].person !== faces[j].person && s > near.s) near = { s, a: faces[i], b: faces[j] };
}
if (near.a) console.log(`closest pair kept apart: ${near.a.tag} and ${near.b.tag}, cosine ${near.s.toFixed(3)} (grouping at ${threshold})`);

// 5. The picture: a box per person (same order), aligned crops side by side, wrapped into rows
// (and within a box, when a person has more faces than fit across).
const GAP = 8, LABEL = 22, PAD = 6, MAX_WIDTH = 1400;
const perLine = Math.floor((MAX_WIDTH - 2 * GAP - PAD) / (CROP + PAD));
const tiles = [];
let x = GAP, y = GAP, rowHeight = 0;
for (const g of people) {
  const cols = Math.min(g.length, perLine), lines = Math.ceil(g.length / cols);
  const w = PAD + cols * (CROP + PAD), h = LABEL + lines * (CROP + PAD);
  if (x + w + GAP > MAX_WIDTH && x > GAP) (x = GAP), (y += rowHeight + GAP), (rowHeight = 0);
  tiles.push({ g, x, y, w, h, cols });
  x += w + GAP;
  rowHeight = Math.max(rowHeight, h);
}
const width = Math.max(...tiles.map((t) => t.x + t.w)) + GAP, height = y + rowHeight + GAP;
const esc = (s) => s.replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]);
// About 7 px per character at 13 px: a label longer than its box is cut (the printed list has it all).
const fit = (s, w) => (s.length * 7 <= w - 2 * PAD ? s : `${s.slice(0, Math.max(1, Math.floor((w - 2 * PAD) / 7) - 1))}…`);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${tiles.map((t) =>
  `<rect x="${t.x}" y="${t.y}" width="${t.w}" height="${t.h}" rx="4" fill="${t.g.length > 1 ? '#dbeafe' : '#eeeeee'}" stroke="#888"/>` +
  `<text x="${t.x + PAD}" y="${t.y + 16}" font-family="sans-serif" font-size="13">${esc(fit(`person ${t.g[0].person}: ${t.g.map((f) => f.tag).join(' ')}`, t.w))}</text>`).join('')}</svg>`;
const composites = [{ input: Buffer.from(svg), left: 0, top: 0 }];
for (const t of tiles) {
  t.g.forEach((f, i) => composites.push({
    input: Buffer.from(f.crop.buffer, f.crop.byteOffset, f.crop.byteLength),
    raw: { width: CROP, height: CROP, channels: 3 },
    left: t.x + PAD + (i % t.cols) * (CROP + PAD), top: t.y + LABEL + Math.floor(i / t.cols) * (CROP + PAD),
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
