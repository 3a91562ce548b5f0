import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/image/decode.js';
import { letterboxGeometry } from '../../src/image/letterbox.js';
import { letterboxTensor } from '../../src/image/letterbox-tensor.js';
import type { Normalization } from '../../src/image/tensor.js';

function noise(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { data, width, height, channels: 3 };
}

// float64 reference: 2x2 box halvings while the shrink exceeds 2.5x, then pixel-centre bilinear
// with a black outside, normalised, NCHW in the model's channel order.
function reference(image: RgbImage, width: number, height: number, border: number, norm: Normalization): Float64Array {
  const g = letterboxGeometry(image.width, image.height, width, height, border);
  let px = Float64Array.from(image.data), w = image.width, h = image.height;
  let ax = 1 / g.scaleX, bx = (0.5 - g.offsetX) / g.scaleX - 0.5, ay = 1 / g.scaleY, by = (0.5 - g.offsetY) / g.scaleY - 0.5;
  while (ax > 2.5 && ay > 2.5 && w >= 2 && h >= 2) {
    const hw = w >> 1, hh = h >> 1, half = new Float64Array(hw * hh * 3);
    for (let y = 0; y < hh; y++) for (let x = 0; x < hw; x++) for (let c = 0; c < 3; c++) {
      const at = (yy: number, xx: number) => px[(yy * w + xx) * 3 + c]!;
      half[(y * hw + x) * 3 + c] = Math.round((at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4);
    }
    px = half; w = hw; h = hh;
    [ax, bx, ay, by] = [ax / 2, (bx - 0.5) / 2, ay / 2, (by - 0.5) / 2];
  }
  const get = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : px[(y * w + x) * 3 + c]!);
  const out = new Float64Array(3 * width * height);
  for (let oc = 0; oc < 3; oc++) {
    const c = norm.order === 'rgb' ? oc : 2 - oc;
    for (let v = 0; v < height; v++) for (let u = 0; u < width; u++) {
      const x = ax * u + bx, y = ay * v + by, x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      const val = (1 - fy) * ((1 - fx) * get(x0, y0, c) + fx * get(x0 + 1, y0, c)) + fy * ((1 - fx) * get(x0, y0 + 1, c) + fx * get(x0 + 1, y0 + 1, c));
      out[oc * width * height + v * width + u] = (val - norm.mean[c]!) / norm.std[c]!;
    }
  }
  return out;
}

const YUNET: Normalization = { mean: [0, 0, 0], std: [1, 1, 1], order: 'bgr' };
const SCRFD: Normalization = { mean: [127.5, 127.5, 127.5], std: [128, 128, 128], order: 'rgb' };
const SKEWED: Normalization = { mean: [10, 120, 240], std: [50, 60, 70], order: 'bgr' };

describe('letterboxTensor', () => {
  const shapes: [number, number, number, number, number, Normalization][] = [
    [200, 100, 128, 128, 0, YUNET], // shrink < 2x, padded bottom
    [997, 641, 96, 64, 0, SCRFD], // odd sides, three halvings
    [610, 300, 256, 256, 0, YUNET], // 2.38x: no halving, bilinear alone
    [37, 53, 64, 96, 0, SKEWED], // upscale
    [301, 299, 64, 64, 0.5, YUNET], // border on every side
    [1, 1, 32, 32, 0, SKEWED],
    [640, 480, 640, 480, 0, SCRFD], // identity
  ];
  for (const [sw, sh, w, h, border, norm] of shapes) {
    it(`matches the float64 reference: ${sw}x${sh} -> ${w}x${h}, border ${border}`, async () => {
      const image = noise(sw, sh, sw * sh);
      const t = await letterboxTensor(image, w, h, border, norm);
      expect(t).toMatchObject(letterboxGeometry(sw, sh, w, h, border));
      const ref = reference(image, w, h, border, norm);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - ref[i]!) * Math.min(...norm.std));
      // Halvings round to bytes with the kernel's fixed-point weights: each may differ by one level.
      expect(worst).toBeLessThanOrEqual(1.5);
    });
  }

  it('writes NHWC for tfjs-converted models, the same values', async () => {
    const image = noise(333, 222);
    const nchw = (await letterboxTensor(image, 64, 64, 0, SKEWED, 'nchw')).data;
    const nhwc = (await letterboxTensor(image, 64, 64, 0, SKEWED, 'nhwc')).data;
    for (let i = 0; i < 64 * 64; i += 97) for (let c = 0; c < 3; c++) expect(nhwc[i * 3 + c]).toBeCloseTo(nchw[c * 64 * 64 + i]!, 1);
  });
});
