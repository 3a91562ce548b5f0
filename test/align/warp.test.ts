import { describe, expect, it } from 'vitest';
import { invertAffine } from '../../src/align/transform.js';
import { warpAffine, warpAffineAsync, type WarpOptions } from '../../src/align/warp.js';
import { rng } from '../helpers/random.js';
import { underEachIsa } from '../helpers/isa.js';
import { refWarp, similarity, type RefImage } from '../helpers/warp-reference.js';

type Channels = 1 | 3 | 4;

function noiseImage(width: number, height: number, channels: Channels, seed: number, pad = 0) {
  const r = rng(seed), stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  return { data, width, height, channels, stride };
}

function smoothImage(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let k = 0; k < 3; k++)
        data[(y * width + x) * 3 + k] = Math.round(127.5 + 100 * Math.sin(x / 9 + k) * Math.cos(y / 13 - k));
  return { data, width, height, channels: 3 as const };
}

/** Random warps into a w x h crop: mostly inside the image, some over its edges, some outside. */
function randomMatrices(img: { width: number; height: number }, w: number, h: number, count: number, seed: number) {
  const r = rng(seed), out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const scale = w / (Math.min(img.width, img.height) * (0.1 + r() * 1.2)); // source footprint 0.1..1.3 of the image
    const angle = (r() - 0.5) * (i % 3 === 0 ? 2 * Math.PI : 0.6);
    const cx = img.width * (i % 5 === 4 ? r() * 3 - 1 : r()), cy = img.height * (i % 5 === 4 ? r() * 3 - 1 : r());
    // M maps the source point (cx, cy) to the crop centre.
    const m = similarity(angle, scale, 0, 0);
    m[2] = w / 2 - (m[0] * cx + m[1] * cy);
    m[5] = h / 2 - (m[3] * cx + m[4] * cy);
    if (i % 7 === 6) { m[1] += 0.3 * scale; m[3] -= 0.2 * scale; } // a non-similar affine
    out.push(m);
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; at: number } {
  expect(a.length).toBe(b.length);
  let diff = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) { diff = d; at = i; }
  }
  return { diff, at };
}

/** Reference float32-nchw tensor from the reference HWC warp. */
function refNchw(ref: Float64Array, n: number, h: number, w: number, c: number, mean: number[], std: number[], bgr: boolean) {
  const out = new Float64Array(n * 3 * h * w);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) {
      const src = c === 1 ? 0 : bgr ? 2 - k : k;
      for (let p = 0; p < h * w; p++) out[(i * 3 + k) * h * w + p] = (ref[(i * h * w + p) * c + src] - mean[k]) / std[k];
    }
  return out;
}

function refUint8(ref: Float64Array, c: number, bgr: boolean): Float64Array {
  if (!bgr || c < 3) return ref;
  const out = Float64Array.from(ref);
  for (let i = 0; i < out.length; i += c) { out[i] = ref[i + 2]; out[i + 2] = ref[i]; }
  return out;
}

describe('warpAffine', () => {
  const shapes: [number, number, Channels, number][] = [
    [1, 1, 3, 0], [2, 3, 1, 0], [37, 23, 3, 0], [64, 48, 4, 4], [33, 71, 1, 3], [120, 90, 3, 5], [97, 61, 1, 0],
  ];
  const outSizes: [number, number][] = [[1, 1], [17, 5], [40, 33], [112, 112]];

  it('matches a float64 OpenCV-convention reference (uint8 within 1 grey level, float within 1e-4) under every ISA', () => {
    underEachIsa((isa) => {
      let seed = 0;
      for (const [iw, ih, c, pad] of shapes) {
        const img = noiseImage(iw, ih, c, ++seed, pad);
        for (const [w, h] of outSizes) {
          const mats = randomMatrices(img, w, h, 6, ++seed);
          for (const border of ['constant', 'replicate'] as const) {
            for (const interpolation of ['bilinear', 'nearest'] as const) {
              const borderValue = c === 1 ? [200] : c === 3 ? [10, 20, 30] : [1, 2, 3, 250];
              const ref = refWarp(img as RefImage, mats, { width: w, height: h, border, interpolation, borderValue });
              const bgr = seed % 2 === 0;
              const opts: WarpOptions = { width: w, height: h, border, interpolation, borderValue, threads: 1 + (seed % 3), channelOrder: bgr ? 'bgr' : 'rgb' };
              const u8 = warpAffine(img, mats, opts);
              const want8 = refUint8(ref, c, bgr);
              const e8 = maxDiff(u8, want8);
              // nearest: the reference and the kernel may round an exact .5 tie differently; random
              // matrices make that vanishingly rare, so nearest must match exactly.
              const tol8 = interpolation === 'nearest' ? 0.5 : 1;
              if (e8.diff > tol8) throw new Error(`${isa} ${iw}x${ih}x${c} -> ${w}x${h} ${border} ${interpolation} uint8: ${u8[e8.at]} vs ${want8[e8.at]} at ${e8.at}`);
              const mean = [127.5, 120, 100], std = [127.5, 64, 1.5 * 127.5];
              const f = warpAffine(img, mats, { ...opts, output: 'float32-nchw', mean, std });
              const wantF = refNchw(ref, mats.length, h, w, c, mean, std, bgr);
              const ef = maxDiff(f, wantF);
              if (ef.diff > 1e-4) throw new Error(`${isa} ${iw}x${ih}x${c} -> ${w}x${h} ${border} ${interpolation} float: ${f[ef.at]} vs ${wantF[ef.at]} at ${ef.at}`);
            }
          }
        }
      }
    });
  });

  it('keeps float precision far from the origin (large images, 1920x1280-like coordinates)', () => {
    const img = noiseImage(2000, 1400, 3, 99);
    const mats = randomMatrices(img, 112, 112, 8, 100);
    const ref = refWarp(img as RefImage, mats, { width: 112, height: 112 });
    underEachIsa((isa) => {
      const f = warpAffine(img, mats, { width: 112, height: 112, output: 'float32-nchw', mean: 127.5, std: 127.5 });
      const e = maxDiff(f, refNchw(ref, 8, 112, 112, 3, [127.5, 127.5, 127.5], [127.5, 127.5, 127.5], false));
      expect(e.diff, isa).toBeLessThanOrEqual(1e-4);
    });
  });

  it('reproduces the image under the identity, up to the last byte of a buffer without slack', () => {
    underEachIsa((isa) => {
      for (const [w, h, c] of [[1, 1, 1], [1, 1, 3], [3, 2, 1], [37, 23, 3], [97, 61, 1], [40, 9, 4]] as [number, number, Channels][]) {
        const img = noiseImage(w, h, c, w * h + c);
        for (const border of ['constant', 'replicate'] as const) {
          const out = warpAffine(img, [1, 0, 0, 0, 1, 0], { width: w, height: h, border });
          if (!Buffer.from(out).equals(Buffer.from(img.data))) throw new Error(`${isa} ${w}x${h}x${c} ${border}: identity differs`);
        }
      }
    });
  });

  it('round trip: warping by M then M⁻¹ recovers a smooth image inside', () => {
    const img = smoothImage(160, 120);
    const m = similarity(0.4, 1.3, 80, 10); // the whole image lands inside the 300 x 260 canvas
    underEachIsa(() => {
      const fwd = warpAffine(img, [m], { width: 300, height: 260 });
      const back = warpAffine({ data: fwd, width: 300, height: 260, channels: 3 }, [invertAffine(m)], { width: 160, height: 120 });
      let worst = 0;
      for (let y = 10; y < 110; y++)
        for (let x = 10; x < 150; x++)
          for (let k = 0; k < 3; k++) {
            const i = (y * 160 + x) * 3 + k;
            worst = Math.max(worst, Math.abs(back[i] - img.data[i]));
          }
      expect(worst).toBeLessThanOrEqual(2);
    });
  });

  it('expands grey to three channels and drops alpha in float32-nchw', () => {
    const grey = noiseImage(30, 20, 1, 7);
    const f = warpAffine(grey, [1, 0, 0, 0, 1, 0], { width: 30, height: 20, output: 'float32-nchw', mean: [0, 10, 20], std: [1, 2, 4] });
    expect(f.length).toBe(3 * 600);
    for (let p = 0; p < 600; p++) {
      expect(f[p]).toBe(grey.data[p]);
      expect(f[600 + p]).toBeCloseTo((grey.data[p] - 10) / 2, 5);
      expect(f[1200 + p]).toBeCloseTo((grey.data[p] - 20) / 4, 5);
    }
    const rgba = noiseImage(16, 16, 4, 8);
    const g = warpAffine(rgba, [1, 0, 0, 0, 1, 0], { width: 16, height: 16, output: 'float32-nchw', channelOrder: 'bgr' });
    for (let p = 0; p < 256; p++) {
      expect(g[p]).toBe(rgba.data[4 * p + 2]);
      expect(g[512 + p]).toBe(rgba.data[4 * p]);
    }
  });

  it('accepts matrices flat or as a list, writes into out, and handles zero matrices', () => {
    const img = noiseImage(50, 40, 3, 9);
    const mats = randomMatrices(img, 20, 20, 3, 10);
    const a = warpAffine(img, mats, { width: 20, height: 20 });
    const out = new Uint8Array(3 * 20 * 20 * 3 + 5);
    const b = warpAffine(img, Float64Array.from(mats.flat()), { width: 20, height: 20, out });
    expect(b.buffer).toBe(out.buffer);
    expect(b).toEqual(a);
    expect(warpAffine(img, [], { width: 20, height: 20 }).length).toBe(0);
  });

  it('async equals sync', async () => {
    const img = noiseImage(200, 150, 3, 11);
    const mats = randomMatrices(img, 112, 112, 5, 12);
    const opts = { width: 112, height: 112, output: 'float32-nchw' as const, mean: 127.5, std: 128 };
    const a = await warpAffineAsync(img, mats, opts), b = warpAffine(img, mats, opts);
    expect(a.length).toBe(5 * 3 * 112 * 112);
    expect(maxDiff(a, b).diff).toBe(0);
  });

  it('rejects bad input with clear errors, never crashing', () => {
    const img = noiseImage(10, 10, 3, 13);
    const I = [1, 0, 0, 0, 1, 0];
    const o = { width: 8, height: 8 };
    expect(() => warpAffine(img, [1, 2, 3, 2, 4, 6], o)).toThrow(/matrices\[0\]: expected an invertible matrix/);
    expect(() => warpAffine(img, [I, [1, 0, Number.NaN, 0, 1, 0]], o)).toThrow(/matrices\[1\]\[2\]: expected a finite number/);
    expect(() => warpAffine(img, [1, 0, Infinity, 0, 1, 0], o)).toThrow(RangeError);
    expect(() => warpAffine(img, [1, 0, 0, 0, 1], o)).toThrow(/multiple of 6/);
    expect(() => warpAffine(img, I, { width: 0, height: 8 })).toThrow(/options.width: expected an integer in \[1, 8192\], got 0/);
    expect(() => warpAffine(img, I, { width: 8, height: 8193 })).toThrow(/options.height/);
    expect(() => warpAffine(img, I, { width: 8.5, height: 8 })).toThrow(RangeError);
    expect(() => warpAffine(img, I, undefined as unknown as WarpOptions)).toThrow(TypeError);
    expect(() => warpAffine({ ...img, channels: 2 as 3 }, I, o)).toThrow(/image.channels: expected 1, 3 or 4, got 2/);
    expect(() => warpAffine({ ...img, channels: 5 as 3 }, I, o)).toThrow(RangeError);
    expect(() => warpAffine({ ...img, data: img.data.subarray(1) }, I, o)).toThrow(/image.data: expected at least stride \* height = 300 bytes, got 299/);
    expect(() => warpAffine({ ...img, stride: 29 }, I, o)).toThrow(/image.stride: expected at least width \* channels = 30, got 29/);
    expect(() => warpAffine({ ...img, data: Array.from(img.data) as unknown as Uint8Array }, I, o)).toThrow(TypeError);
    expect(() => warpAffine(null as unknown as typeof img, I, o)).toThrow(TypeError);
    expect(() => warpAffine(img, I, { ...o, output: 'float32-nchw', mean: [1, 2] })).toThrow(/options.mean: expected 3 values/);
    expect(() => warpAffine(img, I, { ...o, output: 'float32-nchw', std: [1, 0, 1] })).toThrow(/options.std\[1\]: expected a finite non-zero number/);
    expect(() => warpAffine(img, I, { ...o, borderValue: [1, 2] })).toThrow(/options.borderValue: expected 3 values/);
    expect(() => warpAffine(img, I, { ...o, borderValue: 300 })).toThrow(RangeError);
    expect(() => warpAffine(img, I, { ...o, borderValue: 1.5 })).toThrow(/options.borderValue\[0\]: expected an integer in \[0, 255\], got 1.5/);
    expect(() => warpAffine(img, I, { ...o, interpolation: 'cubic' as 'nearest' })).toThrow(/options.interpolation: expected 'bilinear' \| 'nearest', got 'cubic'/);
    expect(() => warpAffine(img, I, { ...o, output: 'float16' as 'uint8' })).toThrow(RangeError);
    expect(() => warpAffine(img, I, { ...o, out: new Float32Array(8 * 8 * 3) })).toThrow(/options.out: expected a Uint8Array/);
    expect(() => warpAffine(img, I, { ...o, out: new Uint8Array(8 * 8 * 3 - 1) })).toThrow(/at least 192 elements, got 191/);
    expect(() => warpAffine(img, I, { ...o, threads: 0 })).toThrow(/options.threads/);
    // A tiny scale (its inverse maps crop pixels 1e100 px away) cannot crash the kernel: only the
    // origin stays inside.
    const far = warpAffine(img, [1e-100, 0, 0, 0, 1e-100, 0], o);
    expect([...far.subarray(0, 3)]).toEqual([...img.data.subarray(0, 3)]);
    expect(far.subarray(3).every((v) => v === 0)).toBe(true);
  });
});
