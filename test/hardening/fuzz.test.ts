// The random-argument fuzz of the native-backed API (test/hardening/fuzz/calls.ts), a fixed seeded
// budget on every run. By hand, longer: node tools/fuzz.js --calls 100000 --seed N.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz/run.js';

const calls = Number(process.env.FUZZ_CALLS ?? 3000);
const seed = Number(process.env.FUZZ_SEED ?? 13);

describe('fuzz', () => {
  it(`${calls} random calls (seed ${seed}): valid ones match the float64 reference, invalid ones throw naming the argument, none crash`, async () => {
    const report = await fuzz(seed, calls);
    if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(report, null, 2) + '\n');
    expect(report.crashes).toEqual([]);
    expect(report.failures.slice(0, 20)).toEqual([]);
  }, Number(process.env.FUZZ_TIMEOUT_MS ?? 120_000));
});
