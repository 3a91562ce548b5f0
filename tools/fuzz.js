#!/usr/bin/env node
// The random-argument fuzz of the native-backed API, longer than CI's fixed budget: runs
// test/hardening/fuzz.test.ts with more calls and prints its report (failures, crashes, time).
//
//   node tools/fuzz.js --calls 100000 --seed 7
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const calls = arg('calls', 100_000), seed = arg('seed', Date.now() % 100_000);
if (!Number.isInteger(calls) || calls < 1 || !Number.isInteger(seed) || seed < 0) {
  console.error('usage: node tools/fuzz.js [--calls N] [--seed S]');
  process.exit(2);
}
const report = path.join(os.tmpdir(), `facecore-fuzz-${process.pid}.json`);
const run = spawnSync('npx', ['vitest', 'run', 'test/hardening/fuzz.test.ts'], {
  cwd: root, stdio: 'inherit',
  env: { ...process.env, FUZZ_CALLS: String(calls), FUZZ_SEED: String(seed), FUZZ_REPORT: report, FUZZ_TIMEOUT_MS: String(calls * 200 + 60_000) },
});
if (!fs.existsSync(report)) process.exit(run.status ?? 1);
const r = JSON.parse(fs.readFileSync(report, 'utf8'));
fs.rmSync(report);
console.log(`fuzz: ${r.calls} calls, seed ${r.seed}, ${r.seconds.toFixed(0)} s: ${r.failures.length} failed, ${r.crashes.length} crashed`);
for (const line of [...r.crashes, ...r.failures]) console.log(`  ${line}`);
process.exit(r.failures.length + r.crashes.length > 0 ? 1 : 0);
