// The bin as users run it: `facecore` is dist/cli/main.js, a node script with a shebang that
// runs main(process.argv) when executed directly. Here the current sources, type-stripped into
// a temporary tree (test/helpers/child-build.ts), run as a child process.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchScript } from '../../src/cli/bench.js';
import { main } from '../../src/cli/main.js';
import { buildForChild } from '../helpers/child-build.js';
import { repoRoot } from '../helpers/shared.js';
import { capture } from './capture.js';
import { samplePhoto } from './photos.js';

const run = promisify(execFile);
let tree = '';
beforeAll(() => {
  tree = buildForChild();
});
afterAll(() => {
  rmSync(tree, { recursive: true, force: true });
});

async function bin(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(tree, 'src/cli/main.js'), ...argv], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the facecore bin', () => {
  it('starts with a shebang and is the package\'s bin', () => {
    expect(readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ facecore: './dist/cli/main.js' });
  });

  it('runs as a child process: help, usage errors (2) and failures (1) in one line', async () => {
    const help = await bin('--help');
    expect(help.code).toBe(0);
    for (const name of ['verify', 'enroll', 'identify', 'eval', 'convert', 'bench', 'serve']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const usage = await bin('identify', samplePhoto(1));
    expect([usage.code, usage.stderr.split('\n')[0]]).toEqual([2, 'facecore identify: missing --index <gallery.fci>']);
    const missing = await bin('verify', 'nope.jpg', samplePhoto(1));
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, '', 'facecore verify: file not found: nope.jpg\n']);
  });

  it('verifies two photos end to end with --json on stdout', async () => {
    const r = await bin('verify', samplePhoto(5), samplePhoto(5), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ same: true, model: 'foamliu-mobilefacenet + yunet' });
  });
});

describe('facecore bench', () => {
  it.skipIf(!existsSync(benchScript))('runs bench/run.js with the arguments after -- and returns its exit code', async () => {
    // An unknown suite: bench/run.js says so and exits 2 before running anything.
    expect(await main(['bench', '--', 'no-such-suite', '--no-build'], capture())).toBe(2);
  });

  it.skipIf(existsSync(benchScript))('says where the benches are when bench/run.js is absent', async () => {
    const c = capture();
    expect(await main(['bench'], c)).toBe(1);
    expect(c.err()).toMatch(/^facecore bench: no benchmarks here: .*bench[\\/]run\.js is absent \(they are in the git checkout, not the npm package\)\n$/);
  });
});
