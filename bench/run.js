// `npm run bench [-- NAME... --FLAG...]`: builds dist/ from src/, then runs each benchmark suite
// (bench/NAME.js, or bench/NAME.bench.ts through `vitest bench`; all of them when none is named)
// one after another, each in its own process so one suite's memory is gone before the next
// starts. Flags (--quick ...) go to every .js suite. --no-build skips the TypeScript build.
// Exits non-zero if the build or any suite fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const args = process.argv.slice(2);

const suiteName = (file) => file.replace(/(\.bench\.ts|\.js)$/, '');
const available = fs.readdirSync(benchDir)
  .filter((f) => (f.endsWith('.js') && f !== 'run.js') || f.endsWith('.bench.ts'))
  .sort();

// Suite names, and flags for the suites: `--flag`, `--flag=value`, or `--flag value` (a word
// right after a flag is its value unless it names a suite).
const names = [];
const flags = [];
for (const [i, arg] of args.entries()) {
  const isSuite = available.some((f) => suiteName(f) === suiteName(path.basename(arg)));
  const prev = i > 0 ? args[i - 1] : '';
  const isValue = !isSuite && prev.startsWith('--') && !prev.includes('=') && prev !== '--no-build';
  if (arg === '--no-build') continue;
  if (arg.startsWith('--') || isValue) flags.push(arg);
  else names.push(arg);
}

const suites = names.length === 0 ? available : names.map((name) => {
  const file = available.find((f) => suiteName(f) === suiteName(path.basename(name)));
  if (!file) {
    console.error(`bench: no suite '${name}'; expected one of ${available.map(suiteName).join(', ')}`);
    process.exit(2);
  }
  return file;
});

if (!args.includes('--no-build')) {
  console.log('bench: building dist/ (tsc -p tsconfig.build.json)');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('bench: the TypeScript build failed');
    process.exit(1);
  }
}

const summary = [];
for (const suite of suites) {
  const t0 = Date.now();
  let command;
  if (suite.endsWith('.bench.ts')) {
    command = [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'bench', '--run', `bench/${suite}`];
  } else {
    // --expose-gc lets suites free one peer's copy of a gallery before the next peer makes its own.
    command = ['--expose-gc', path.join(benchDir, suite), ...flags];
  }
  console.log(`\n=== bench/${suite} ${suite.endsWith('.js') ? flags.join(' ') : ''}`);
  const run = spawnSync(process.execPath, command, { cwd: root, stdio: 'inherit' });
  const status = run.status ?? `signal ${run.signal}`;
  summary.push({ suite, status, seconds: (Date.now() - t0) / 1e3 });
}

console.log('\nbench summary:');
for (const s of summary) console.log(`  ${s.suite.padEnd(20)} ${s.status === 0 ? 'ok    ' : `FAILED (${s.status})`} ${s.seconds.toFixed(0)} s`);
process.exit(summary.every((s) => s.status === 0) ? 0 : 1);
