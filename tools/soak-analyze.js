#!/usr/bin/env node
// Memory soak of FaceAnalyzer.analyze: one photo analysed over and over, RSS / V8 heap / external
// memory sampled (after a gc) every --every calls; prints the samples and the growth per call
// over the second half (after warm-up). A leak shows as steady growth; a plateau is a cache.
//
//   npm run build:ts && node --expose-gc tools/soak-analyze.js [--calls 10000] [--every 500] [--threads 1] [--photo file]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceAnalyzer } from '../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const calls = Number(arg('calls', 10_000)), every = Number(arg('every', 500));
const photo = arg('photo', path.join(root, '../shared/data/deepface/img1.jpg'));
const bytes = fs.readFileSync(photo);
const gc = globalThis.gc ?? (() => console.error('soak: run with --expose-gc for steadier figures'));

const analyzer = await FaceAnalyzer.create({ threads: Number(arg('threads', 1)) });
const samples = [];
const sample = (done) => {
  gc();
  const m = process.memoryUsage();
  const s = { calls: done, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20, externalMB: m.external / 2 ** 20, arrayBuffersMB: m.arrayBuffers / 2 ** 20 };
  samples.push(s);
  console.log(JSON.stringify(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v * 100) / 100]))));
};
const start = performance.now();
sample(0);
for (let i = 1; i <= calls; i++) {
  const faces = await analyzer.analyze(bytes);
  if (faces.length === 0) throw new Error(`soak: no face in ${photo}`);
  if (i % every === 0) sample(i);
}
await analyzer.dispose();
const half = samples.filter((s) => s.calls >= calls / 2);
const slope = (key) => {
  // Least-squares slope of key against calls, in KB per call.
  const n = half.length, mx = half.reduce((a, s) => a + s.calls, 0) / n, my = half.reduce((a, s) => a + s[key], 0) / n;
  const sxy = half.reduce((a, s) => a + (s.calls - mx) * (s[key] - my), 0), sxx = half.reduce((a, s) => a + (s.calls - mx) ** 2, 0);
  return (sxy / sxx) * 1024;
};
console.log(`soak: ${calls} calls in ${((performance.now() - start) / 1000).toFixed(0)} s; growth over the second half, KB per call: ` +
  ['rssMB', 'heapMB', 'externalMB', 'arrayBuffersMB'].map((k) => `${k.replace('MB', '')} ${slope(k).toFixed(3)}`).join(', '));
