// The cache converts once, keys on the source bytes, and defaultModelPath serves the
// human-models face models from it.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertTfjsGraphCached, defaultCacheDir } from '../../../src/models/convert/cache.js';
import { defaultModelPath } from '../../../src/models/convert/default-models.js';
import { TfGraph } from '../../helpers/tfjs-graph.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'facecore-convert-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeTinyModel(dir: string, scale: number): string {
  const g = new TfGraph();
  g.input('x', [1, 3]);
  g.op('Mul', ['x', g.const([scale, scale, scale], [3])], {}, 'y');
  const { modelJson, weightData } = g.artifacts();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify(modelJson));
  writeFileSync(path.join(dir, 'weights.bin'), weightData);
  return path.join(dir, 'tiny.json');
}

describe('conversion cache', () => {
  it('converts once and reuses the file; new weights give a new entry', async () => {
    const cacheDir = path.join(root, 'c1');
    const model = writeTinyModel(path.join(root, 'tiny'), 2);
    const first = await convertTfjsGraphCached(model, { cacheDir });
    const mtime = statSync(first).mtimeMs;
    const second = await convertTfjsGraphCached(model, { cacheDir });
    expect(second).toBe(first);
    expect(statSync(second).mtimeMs).toBe(mtime);
    expect(path.basename(first)).toMatch(/^tiny-[0-9a-f]{20}\.onnx$/);

    writeTinyModel(path.join(root, 'tiny'), 3);
    const third = await convertTfjsGraphCached(model, { cacheDir });
    expect(third).not.toBe(first);
    expect(readdirSync(cacheDir).sort()).toEqual([path.basename(first), path.basename(third)].sort());
    const session = await ort.InferenceSession.create(third);
    const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3]), [1, 3]) });
    expect(Array.from(y.data as Float32Array)).toEqual([3, 6, 9]);
  });

  it('concurrent calls share one conversion', async () => {
    const cacheDir = path.join(root, 'c2');
    const model = writeTinyModel(path.join(root, 'tiny2'), 5);
    const paths = await Promise.all([convertTfjsGraphCached(model, { cacheDir }), convertTfjsGraphCached(model, { cacheDir })]);
    expect(paths[0]).toBe(paths[1]);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('FACECORE_CACHE sets the default folder', () => {
    const saved = process.env.FACECORE_CACHE;
    process.env.FACECORE_CACHE = '/some/where';
    try {
      expect(defaultCacheDir()).toBe('/some/where');
      delete process.env.FACECORE_CACHE;
      expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'facecore'));
    } finally {
      if (saved === undefined) delete process.env.FACECORE_CACHE;
      else process.env.FACECORE_CACHE = saved;
    }
  });
});

describe('defaultModelPath', () => {
  it('converts the human-models BlazeFace and it runs', async () => {
    const p = await defaultModelPath('blazeface', { cacheDir: path.join(root, 'models') });
    const session = await ort.InferenceSession.create(p);
    expect(session.inputNames).toEqual(['input']);
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(256 * 256 * 3), [1, 256, 256, 3]) });
    expect(Object.values(out).map((t) => t.dims.join('x')).sort()).toEqual(['1x384x1', '1x384x16', '1x512x1', '1x512x16']);
  });
  it('rejects unknown names', async () => {
    await expect(defaultModelPath('nope' as 'blazeface')).rejects.toThrow(RangeError);
  });
});
