import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath } from '../../src/models/convert/index.js';
import { normalizesItself, Recognizer } from '../../src/models/embedders/recognizer.js';
import { loadRecognizer } from '../../src/models/registry.js';
import { liveSessions } from '../../src/models/session.js';
import { hasShared, sharedModel } from '../helpers/shared.js';

function randomCrops(n: number, size: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * 3 * size * size }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 30 - 1;
  });
}

function mirror(crops: Float32Array, size: number): Float32Array {
  const out = new Float32Array(crops.length);
  for (let r = 0; r < crops.length / size; r++) {
    for (let x = 0; x < size; x++) out[r * size + x] = crops[r * size + size - 1 - x]!;
  }
  return out;
}

const norms = (e: Float32Array, dim: number) => Array.from({ length: e.length / dim }, (_, i) => Math.hypot(...e.subarray(i * dim, (i + 1) * dim)));

describe('Recognizer on the converted mobileface (npm)', () => {
  let rec: Recognizer;
  beforeAll(async () => {
    rec = await loadRecognizer('mobileface');
  });
  afterAll(() => rec.dispose());

  it('takes the registry conventions', () => {
    expect(rec.id).toBe('mobileface');
    expect(rec.dim).toBe(256);
    expect(rec.preprocessing).toMatchObject({ size: 112, mean: [0, 0, 0], std: [1, 1, 1], order: 'rgb', layout: 'nchw' });
  });

  it('returns unit rows, and a batch equals its faces one by one', async () => {
    const crops = randomCrops(3, 112);
    const all = await rec.embed(crops, 3);
    for (const n of norms(all, 256)) expect(n).toBeCloseTo(1, 5);
    for (let i = 0; i < 3; i++) {
      const one = await rec.embed(crops.slice(i * 3 * 112 * 112, (i + 1) * 3 * 112 * 112), 1);
      for (let j = 0; j < 256; j++) expect(one[j]!).toBeCloseTo(all[i * 256 + j]!, 4);
    }
    expect(await rec.embed(new Float32Array(0), 0)).toHaveLength(0);
  });

  it('rejects crops of the wrong size or kind', async () => {
    await expect(rec.embed(new Float32Array(10), 1)).rejects.toThrow(RangeError);
    await expect(rec.embed(new Float32Array(3 * 112 * 112), 1.5)).rejects.toThrow(RangeError);
    await expect(rec.embed([1, 2, 3] as never, 1)).rejects.toThrow(TypeError);
  });
});

describe('Recognizer conventions', () => {
  it('detects self-normalising graphs as insightface does (Sub and Mul among the first nodes)', async () => {
    const mobileface = await defaultModelPath('mobileface');
    expect(normalizesItself(fs.readFileSync(mobileface))).toBe(true);
    // Loaded by path, without the registry, the router rule gives the same conventions; this
    // conversion keeps tfjs's NHWC input, which the registry's NCHW one must agree with.
    const rec = await Recognizer.load(mobileface);
    const nchw = await loadRecognizer('mobileface');
    try {
      expect(rec.preprocessing.mean).toEqual([0, 0, 0]);
      expect(rec.preprocessing.std).toEqual([1, 1, 1]);
      expect(rec.preprocessing.layout).toBe('nhwc');
      const crops = randomCrops(2, 112, 5);
      const a = await rec.embed(crops, 2);
      const b = await nchw.embed(crops, 2);
      for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 4);
    } finally {
      await rec.dispose();
      await nchw.dispose();
    }
  });

  it('flip: true embeds a face and its mirror alike (symmetric test-time augmentation)', async () => {
    const rec = await loadRecognizer('mobileface', { flip: true });
    try {
      const crops = randomCrops(2, 112, 7);
      const a = await rec.embed(crops, 2);
      const b = await rec.embed(mirror(crops, 112), 2);
      for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 4);
      for (const n of norms(a, rec.dim)) expect(n).toBeCloseTo(1, 5);
    } finally {
      await rec.dispose();
    }
  });

  it('rejects bad options and releases the session', async () => {
    const before = liveSessions();
    const mobileface = await defaultModelPath('mobileface');
    await expect(Recognizer.load(mobileface, { mean: [1, 2] as never })).rejects.toThrow(/options.mean/);
    await expect(Recognizer.load(mobileface, { std: 0 })).rejects.toThrow(RangeError);
    await expect(Recognizer.load(mobileface, { output: 'nope' })).rejects.toThrow(/options.output/);
    await expect(Recognizer.load(mobileface, { inputSize: 128 })).rejects.toThrow(/square input/);
    await expect(Recognizer.load(mobileface, { threshold: 3 })).rejects.toThrow(RangeError);
    await expect(Recognizer.load(mobileface, { order: 'gbr' as never })).rejects.toThrow(/options.order/);
    await expect(loadRecognizer({} as never)).rejects.toThrow(TypeError);
    expect(liveSessions()).toBe(before);
  });
});

describe.skipIf(!hasShared)('Recognizer on foamliu MobileFaceNet (../shared)', () => {
  it('is known by its hash: ImageNet normalisation, fixed batch 1 run face by face', async () => {
    const file = sharedModel('mobilefacenet.onnx');
    expect(normalizesItself(fs.readFileSync(file))).toBe(false);
    const rec = await Recognizer.load(file);
    try {
      expect(rec.id).toBe('foamliu-mobilefacenet');
      expect(rec.preprocessing.mean[0]).toBeCloseTo(0.485 * 255, 6);
      expect(rec.preprocessing.std[2]).toBeCloseTo(0.225 * 255, 6);
      expect(rec.dim).toBe(128);
      const crops = randomCrops(3, 112, 3);
      const all = await rec.embed(crops, 3);
      const second = await rec.embed(crops.slice(3 * 112 * 112, 6 * 112 * 112), 1);
      for (let j = 0; j < 128; j++) expect(second[j]!).toBeCloseTo(all[128 + j]!, 5);
    } finally {
      await rec.dispose();
    }
  });
});
