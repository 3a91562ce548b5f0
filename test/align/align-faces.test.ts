import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { alignFaces, alignFacesAsync } from '../../src/align/align-faces.js';
import { ARCFACE_TEMPLATE_112, templateForSize } from '../../src/align/templates.js';
import { estimateSimilarity } from '../../src/align/transform.js';
import { warpAffine } from '../../src/align/warp.js';
import { rng } from '../helpers/random.js';
import { underEachIsa } from '../helpers/isa.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { applyMatrix, refInvert, similarity } from '../helpers/warp-reference.js';

function noiseImage(width: number, height: number, seed: number) {
  const r = rng(seed), data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  return { data, width, height, channels: 3 as const };
}

describe('alignFaces', () => {
  const img = noiseImage(300, 240, 1);
  const faceA = applyMatrix(similarity(0.2, 1.5, 60, 30), ARCFACE_TEMPLATE_112);
  const faceB = applyMatrix(similarity(-0.3, 0.8, 150, 90), ARCFACE_TEMPLATE_112);

  it('estimates each face similarity to the template and warps with it (norm_crop)', () => {
    const { tensor, dims, matrices } = alignFaces(img, [...faceA, ...faceB], { output: 'uint8' });
    expect(dims).toEqual([2, 112, 112, 3]);
    expect(matrices.length).toBe(2);
    const want = refInvert(similarity(0.2, 1.5, 60, 30));
    for (let i = 0; i < 6; i++) expect(matrices[0][i]).toBeCloseTo(want[i], 9);
    expect(Buffer.from(tensor).equals(warpAffine(img, matrices, { width: 112, height: 112 }))).toBe(true);
  });

  it('defaults to the ArcFace recogniser tensor: float32 NCHW, RGB, (v - 127.5) / 127.5', () => {
    underEachIsa(() => {
      const f = alignFaces(img, [faceA, faceB]);
      expect(f.dims).toEqual([2, 3, 112, 112]);
      const u = alignFaces(img, [faceA, faceB], { output: 'uint8' }).tensor;
      const plane = 112 * 112;
      let worst = 0;
      for (let i = 0; i < 2; i++)
        for (let k = 0; k < 3; k++)
          for (let p = 0; p < plane; p++) {
            const v = f.tensor[(i * 3 + k) * plane + p] * 127.5 + 127.5;
            worst = Math.max(worst, Math.abs(v - u[(i * plane + p) * 3 + k]));
          }
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-3); // the uint8 crop is the float one, rounded
      const bgr = alignFaces(img, [faceA], { channelOrder: 'bgr', mean: 0, std: 1 }).tensor;
      expect(bgr[0]).toBeCloseTo(u[2], 2);
    });
  });

  it('uses templateForSize for other sizes and a custom template when given', () => {
    const face = applyMatrix(similarity(0, 2, 10, 10), templateForSize(224));
    const r = alignFaces(img, face, { size: 224, output: 'uint8' });
    expect(r.dims).toEqual([1, 224, 224, 3]);
    const want = estimateSimilarity(face, templateForSize(224));
    for (let i = 0; i < 6; i++) expect(r.matrices[0][i]).toBeCloseTo(want[i], 12);
    const custom = alignFaces(img, [10, 10, 50, 10, 30, 40, 80, 90], { size: 64, template: [0, 0, 40, 0, 20, 30, 70, 80] });
    expect(custom.dims).toEqual([1, 3, 64, 64]); // one face of four points
  });

  it('async equals sync', async () => {
    const a = await alignFacesAsync(img, [faceA, faceB]);
    const b = alignFaces(img, [faceA, faceB]);
    expect(a.dims).toEqual(b.dims);
    expect(Buffer.from(a.tensor.buffer).equals(Buffer.from(b.tensor.buffer))).toBe(true);
  });

  it('returns an empty batch for no faces', () => {
    expect(alignFaces(img, []).tensor.length).toBe(0);
  });

  it('rejects bad landmarks and options', () => {
    expect(() => alignFaces(img, [1, 2, 3])).toThrow(/landmarks: expected a multiple of 10 numbers \(5 points per face\), got 3/);
    expect(() => alignFaces(img, [faceA, [1, 2, 3, 4]])).toThrow(/landmarks\[1\]: expected an even length of at least 10 \(5 points\), got 4/);
    expect(() => alignFaces(img, new Array(10).fill(7))).toThrow(/landmarks\[0\]: .*all points equal/);
    expect(() => alignFaces(img, [...faceA.slice(0, 9), Number.NaN])).toThrow(RangeError);
    expect(() => alignFaces(img, 'face' as unknown as number[])).toThrow(TypeError);
    expect(() => alignFaces(img, faceA, { size: 100 })).toThrow(/size: expected a positive multiple of 112 or 128/);
    expect(() => alignFaces(img, faceA, { std: [1, 2] })).toThrow(/options.std: expected 3 values/);
    expect(() => alignFaces({ ...img, width: 301 }, faceA)).toThrow(/image.data: expected at least/);
  });
});

describe.skipIf(!hasShared)('alignFaces on real LFW crops (../shared/data/insightface/small_lfw)', () => {
  it('re-aligns a crop rotated and scaled into a larger canvas to within 3 grey levels (mean abs error)', async () => {
    const dir = sharedData('insightface', 'small_lfw');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
    expect(files.length).toBe(17);
    const r = rng(17);
    let worst = 0;
    for (const file of files) {
      const { data, info } = await sharp(`${dir}/${file}`).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([112, 112, 3]);
      const crop = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: 112, height: 112, channels: 3 as const };
      // Place the aligned face into a 480 x 400 canvas: rotated by up to ±30°, scaled 1.5..3.
      const t = similarity((r() - 0.5) * (Math.PI / 3), 1.5 + 1.5 * r(), 0, 0);
      t[2] = 240 - (t[0] * 56 + t[1] * 56) + (r() - 0.5) * 40;
      t[5] = 200 - (t[3] * 56 + t[4] * 56) + (r() - 0.5) * 40;
      const canvas = { data: warpAffine(crop, [t], { width: 480, height: 400 }), width: 480, height: 400, channels: 3 as const };
      // Where the template points went is exactly where a detector would find the landmarks.
      const landmarks = applyMatrix(t, ARCFACE_TEMPLATE_112);
      const { tensor, matrices } = alignFaces(canvas, landmarks, { output: 'uint8' });
      const inv = refInvert(t);
      for (let i = 0; i < 6; i++) expect(matrices[0][i]).toBeCloseTo(inv[i], 9);
      let sum = 0;
      for (let i = 0; i < tensor.length; i++) sum += Math.abs(tensor[i] - crop.data[i]);
      const mae = sum / tensor.length;
      if (!(mae <= 3)) throw new Error(`${file}: mean abs error ${mae.toFixed(2)} > 3`);
      worst = Math.max(worst, mae);
    }
    console.log(`small_lfw re-alignment: worst mean abs error ${worst.toFixed(2)} grey levels over ${files.length} faces`);
  });
});
