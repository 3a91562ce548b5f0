// FACECORE_THREADS caps the default thread count (read once, when the addon loads), so each
// case runs in its own Node process.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild } from '../helpers/child-build.js';

let tree = '';
beforeAll(() => {
  tree = buildForChild();
});
afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

function defaultThreadsWith(value: string | undefined): { out: string; err: string } {
  const env = { ...process.env };
  if (value === undefined) delete env.FACECORE_THREADS;
  else env.FACECORE_THREADS = value;
  try {
    return { out: execFileSync(process.execPath, ['--input-type=module', '-e', `import('${path.join(tree, 'src/core/options.js')}').then((m) => console.log(m.defaultThreads()))`], { env, encoding: 'utf8', stdio: 'pipe' }).trim(), err: '' };
  } catch (e) {
    return { out: '', err: String((e as { stderr?: string }).stderr) };
  }
}

describe('FACECORE_THREADS', () => {
  it('defaults to the cores this process may use', () => {
    expect(Number(defaultThreadsWith(undefined).out)).toBe(os.availableParallelism());
  });

  it('caps the default thread count', () => {
    expect(defaultThreadsWith('1').out).toBe('1');
    expect(defaultThreadsWith('3').out).toBe('3');
  });

  it('rejects a value that is not an integer in [1, 1024], naming it', () => {
    for (const bad of ['0', 'two', '1.5', '2000', '-1']) {
      expect(defaultThreadsWith(bad).err).toMatch(new RegExp(`RangeError: FACECORE_THREADS: expected an integer in \\[1, 1024\\], got '${bad.replace('.', '\\.')}'`));
    }
  });
});
