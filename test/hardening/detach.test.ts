// Issue #13.1: transferring (detaching) a buffer while an async call reads or writes it must not
// free the memory under the job. Each case runs in a child (with --expose-gc) so a crash counts.
import { describe, expect, it } from 'vitest';
import { runChild } from './child.js';

const cases: [string, string][] = [
  ['topKAsync', 'gallery'], ['topKAsync', 'queries'],
  ['similarityMatrixAsync', 'a'], ['similarityMatrixAsync', 'b'], ['similarityMatrixAsync', 'out'],
  ['warpAffineAsync', 'image.data'],
  ['marginSoftmaxLossAsync', 'x'], ['marginSoftmaxLossAsync', 'w'],
  ['search', 'queries'],
  ['detachedAtStart', 'queries'], ['detachedAtStart', 'gallery'],
];

describe('async calls own their buffers', () => {
  it.each(cases)('%s: %s detached mid-call (or before it)', (name, target) => {
    const r = runChild('detach-child', [name, target], { nodeArgs: ['--expose-gc'], env: { ROUNDS: '1' } });
    expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(-500) }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ name, target, ok: true });
  });
});
