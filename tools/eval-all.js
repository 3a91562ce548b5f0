#!/usr/bin/env node
// The README's results table: `facecore eval` on every ../shared/data/*/pairs.csv with the
// default models (YuNet + foamliu MobileFaceNet), the former defaults (blazeface + faceres) for
// comparison, and every other ONNX recogniser in ../shared/models (default detector), as one
// Markdown table (AUC, EER, TAR@FAR=1e-2, 10-fold accuracy). Embeddings are cached on disk
// (see docs/cli.md), so a rerun takes seconds.
//
//   npm run build:ts && node tools/eval-all.js [--out dir]     (reports under dir, default /tmp/facecore-eval-all)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../dist/cli/main.js';
import { ModelSession } from '../dist/models/session.js';
import { detectorFamily } from '../dist/models/detectors/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const dataDir = path.join(shared, 'data');
if (!fs.existsSync(dataDir)) {
  console.error(`eval-all: ${dataDir} is absent; it needs the shared evaluation photos.`);
  process.exit(1);
}
const outAt = process.argv.indexOf('--out');
const outRoot = outAt > 0 ? path.resolve(process.argv[outAt + 1]) : path.join(os.tmpdir(), 'facecore-eval-all');

// Recognisers: the default, then every .onnx in ../shared/models that is not a face detector.
const models = [
  { name: 'foamliu-mobilefacenet + yunet (default)', args: [] },
  { name: 'faceres + blazeface (former default)', args: ['--model', 'faceres', '--detector', 'blazeface'] },
];
const modelDir = path.join(shared, 'models');
for (const file of fs.existsSync(modelDir) ? fs.readdirSync(modelDir).filter((f) => f.endsWith('.onnx')).sort() : []) {
  const session = await ModelSession.load(path.join(modelDir, file));
  let detector = true;
  try {
    detectorFamily(session);
  } catch {
    detector = false;
  }
  await session.dispose();
  // The shipped recogniser's copy in ../shared is the default itself (same bytes).
  if (!detector && file !== 'mobilefacenet.onnx') models.push({ name: `${file} + yunet`, args: ['--model', path.join(modelDir, file)] });
}

const sets = fs.readdirSync(dataDir).filter((d) => fs.existsSync(path.join(dataDir, d, 'pairs.csv'))).sort();
const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const rows = [];
const started = performance.now();
for (const model of models) {
  for (const set of sets) {
    let out = '', err = '';
    const sink = (add) => ({ write: (s) => (add(s), true) });
    const code = await main(['eval', '--pairs', path.join(dataDir, set, 'pairs.csv'), '--out', path.join(outRoot, model.name.replace(/\W+/g, '_'), set), '--json', ...model.args],
      { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
    if (code !== 0) {
      // e.g. a set with one pair (no impostors): say why instead of a number.
      const reason = err.split('\n').find((l) => l.startsWith('facecore eval:'))?.replace(/^facecore eval: /, '') ?? `exit ${code}`;
      const counts = /got (\d+) genuine and (\d+) impostor/.exec(reason);
      const what = counts ? `${+counts[1] + +counts[2]}: ${counts[1]} / ${counts[2]}` : '—';
      rows.push(`| ${set} | ${model.name} | ${what} | n/a (${counts ? 'needs both classes' : 'failed'}) | n/a | n/a | n/a |`);
      console.error(`${set} / ${model.name}: ${reason}`);
      continue;
    }
    const r = JSON.parse(out);
    const tar = r.tarAtFar.find((t) => t.far === 1e-2);
    const kfold = r.kFold ? `${pct(r.kFold.mean)} ± ${pct(r.kFold.std)}` : `n/a`;
    const skipped = r.meta.skippedPairs ? ` (${r.meta.skippedPairs} skipped)` : '';
    rows.push(`| ${set} | ${model.name} | ${r.pairs}: ${r.positives} / ${r.negatives}${skipped} | ${r.auc.toFixed(4)} | ${pct(r.eer.eer)} | ${tar.tar === null ? `n/a (${tar.reason})` : pct(tar.tar)} | ${kfold} |`);
    process.stderr.write(`${set} / ${model.name}: AUC ${r.auc.toFixed(4)}\n`);
  }
}

console.log(`Measured with \`node tools/eval-all.js\` (\`facecore eval --pairs ../shared/data/<set>/pairs.csv [--model <file.onnx>]\`), ${new Date().toISOString().slice(0, 10)}, ${((performance.now() - started) / 1000).toFixed(0)} s.\n`);
console.log('| pair set | recogniser + detector | pairs: same / different | AUC | EER | TAR@FAR=1e-2 | 10-fold accuracy |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
