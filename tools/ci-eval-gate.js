#!/usr/bin/env node
// CI gate: `facecore eval` with the default models (YuNet + foamliu MobileFaceNet, shipped in
// models/) must keep AUC >= 0.99 on ../shared/data/deepface/pairs.csv and on
// face_api_js/pairs.csv (tight greyscale crops and group scenes); exit 1 otherwise. Skips (exit 0,
// saying so) where ../shared is absent, as in a user's checkout.
//
//   npm run build:ts && node tools/ci-eval-gate.js [--min-auc 0.99]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../dist/cli/main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const SETS = ['deepface', 'face_api_js'];
const at = process.argv.indexOf('--min-auc');
const minAuc = at > 0 ? Number(process.argv[at + 1]) : 0.99;
if (!(minAuc > 0 && minAuc <= 1)) {
  console.error(`ci-eval-gate: --min-auc: expected a number in (0, 1], got ${process.argv[at + 1]}`);
  process.exit(2);
}
const lists = SETS.map((set) => ({ set, pairs: path.join(shared, 'data', set, 'pairs.csv') }));
const absent = lists.filter((l) => !fs.existsSync(l.pairs));
if (absent.length > 0) {
  console.log(`ci-eval-gate: skipped: ${absent.map((l) => l.pairs).join(', ')} absent (the shared evaluation data is not in this checkout)`);
  process.exit(0);
}

let failed = false;
for (const { set, pairs } of lists) {
  let out = '';
  const stdout = { write: (s) => ((out += s), true) };
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-ci-eval-'));
  const code = await main(['eval', '--pairs', pairs, '--out', outDir, '--no-png', '--json'], { stdout, stderr: process.stderr });
  fs.rmSync(outDir, { recursive: true, force: true });
  if (code !== 0) {
    console.error(`ci-eval-gate: FAIL: facecore eval on ${set} exited with ${code}`);
    failed = true;
    continue;
  }
  const report = JSON.parse(out);
  const line = `default models (${report.meta.model}) on ${set}/pairs.csv: AUC ${report.auc.toFixed(4)} over ${report.pairs} pairs (minimum ${minAuc})`;
  if (report.auc >= minAuc) console.log(`ci-eval-gate: ok: ${line}`);
  else (console.error(`ci-eval-gate: FAIL: ${line}`), (failed = true));
}
process.exit(failed ? 1 : 0);
