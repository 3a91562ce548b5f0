// A typed array whose ArrayBuffer was transferred reads as empty; the TypeScript layer must
// refuse it with a TypeError naming it, not search nothing and return [].
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaceIndex, topK } from '../../src/index.js';

const detached = (n: number) => {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};

describe('detached inputs', () => {
  it('FaceIndex.search refuses detached queries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'facecore-detached-'));
    const index = await FaceIndex.open(path.join(dir, 'g.fci'), { dim: 4 });
    await index.add(['a'], Float32Array.of(1, 0, 0, 0));
    await expect(index.search(detached(4), 1)).rejects.toThrow(/queries: expected a Float32Array with live memory, got one whose ArrayBuffer was detached/);
    await expect(index.search(new Float32Array(0), 1)).resolves.toEqual([]);
    await index.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('topK refuses a detached gallery', () => {
    expect(() => topK(new Float32Array(4), detached(8), 4, 1)).toThrow(TypeError);
  });
});
