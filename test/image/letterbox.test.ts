import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/image/decode.js';
import { letterbox } from '../../src/image/letterbox.js';
import { toNchw, toNhwc } from '../../src/image/tensor.js';

// A 200x100 black image with a white 20x20 square at (150, 40).
function square(): RgbImage {
  const w = 200, h = 100;
  const data = new Uint8Array(w * h * 3);
  for (let y = 40; y < 60; y++) for (let x = 150; x < 170; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h, channels: 3 };
}

// Centroid of the bright pixels of a canvas, in canvas pixels (centres at integer coordinates).
function centroid(data: Uint8Array, w: number): [number, number] {
  let sx = 0, sy = 0, n = 0;
  for (let i = 0; i < data.length / 3; i++) {
    const v = data[i * 3]!;
    if (v > 0) { sx += (i % w) * v; sy += Math.floor(i / w) * v; n += v; }
  }
  return [sx / n, sy / n];
}

describe('letterbox', () => {
  it('fits the image, pads right/bottom, and maps canvas pixels back to the source', async () => {
    const img = square();
    const lb = await letterbox(img, 128, 128);
    expect([lb.width, lb.height, lb.offsetX, lb.offsetY]).toEqual([128, 128, 0, 0]);
    expect(lb.scaleX).toBeCloseTo(128 / 200, 12);
    expect(lb.scaleY).toBeCloseTo(64 / 100, 12);
    // Rows below the resized image are black.
    expect(lb.data.subarray(64 * 128 * 3).every((v) => v === 0)).toBe(true);
    const [cx, cy] = centroid(lb.data, 128);
    // Pixel centres: source centre 159.5 -> canvas (159.5 + 0.5) * s - 0.5.
    expect((cx + 0.5) / lb.scaleX - 0.5).toBeCloseTo(159.5, 0);
    expect((cy + 0.5) / lb.scaleY - 0.5).toBeCloseTo(49.5, 0);
  });

  it('adds a border before fitting and records where the image lands', async () => {
    const img = square();
    const lb = await letterbox(img, 128, 128, 0.5);
    // margin = 100 px each side: a 400x300 frame scaled by 0.32.
    expect(lb.scaleX).toBeCloseTo(64 / 200, 12);
    expect(lb.offsetX).toBe(32);
    expect(lb.offsetY).toBe(32);
    const [cx, cy] = centroid(lb.data, 128);
    expect((cx - lb.offsetX + 0.5) / lb.scaleX - 0.5).toBeCloseTo(159.5, 0);
    expect((cy - lb.offsetY + 0.5) / lb.scaleY - 0.5).toBeCloseTo(49.5, 0);
  });
});

describe('toNchw / toNhwc', () => {
  it('normalise per channel and reorder to BGR against a plain reference', () => {
    const rgb = Uint8Array.from({ length: 3 * 5 * 3 }, (_, i) => (i * 41) % 256);
    const norm = { mean: [10, 20, 30] as const, std: [2, 4, 8] as const, order: 'bgr' as const };
    const chw = toNchw(rgb, 5, 3, norm);
    const hwc = toNhwc(rgb, 5, 3, norm);
    for (let p = 0; p < 15; p++) {
      for (let c = 0; c < 3; c++) {
        const src = 2 - c; // BGR: output channel c reads RGB channel 2 - c
        const want = (rgb[p * 3 + src]! - norm.mean[src]) / norm.std[src];
        expect(chw[c * 15 + p]!).toBeCloseTo(want, 5);
        expect(hwc[p * 3 + c]!).toBeCloseTo(want, 5);
      }
    }
  });
});
