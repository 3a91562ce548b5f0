// `facecore serve` and `facecore worker` turn V8's incremental marking off (src/cli/throughput-gc.ts)
// unless the process was started with a marking flag; each case runs in its own Node process.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild } from '../helpers/child-build.js';

let tree = '';
beforeAll(() => {
  tree = buildForChild();
});
afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

function preferIn(execArgv: string[]): string {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const script = `import('${path.join(tree, 'src/cli/throughput-gc.js')}').then((m) => console.log(m.preferThroughputGc()))`;
  return execFileSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim();
}

describe('preferThroughputGc', () => {
  it('turns incremental marking off by default', () => {
    expect(preferIn([])).toBe('true');
  });

  it('leaves it as the user asked on the command line', () => {
    expect(preferIn(['--incremental-marking'])).toBe('false');
    expect(preferIn(['--no-incremental-marking'])).toBe('false');
  });
});
