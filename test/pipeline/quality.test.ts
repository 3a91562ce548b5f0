import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112 } from '../../src/align/templates.js';
import type { RgbImage } from '../../src/image/decode.js';
import type { Preprocessing } from '../../src/models/embedders/recognizer.js';
import { alignForRecognizer } from '../../src/pipeline/align-step.js';
import { FaceAnalyzer } from '../../src/pipeline/face-analyzer.js';
import {
  estimatePose, faceSharpness, faceSize, overallQuality, poseFactor, qualityOptions, sharpnessFactor, sizeFactor,
} from '../../src/pipeline/quality.js';
import { rng } from '../helpers/random.js';
import { repoRoot } from '../helpers/shared.js';

const template = Array.from(ARCFACE_TEMPLATE_112);

// The generic head of estimatePose (eye-distance units), turned by yaw / pitch and projected
// orthographically onto the image at a scale and offset.
function head(yawDeg: number, pitchDeg: number, scale = 100, ox = 300, oy = 200): Float32Array {
  const eyeY = (51.6963 + 51.5014) / 2, iod = 35.2372;
  const pts: [number, number, number][] = [[-0.5, 0, 0], [0.5, 0, 0], [(56.0252 - 55.913) / iod, (71.7366 - eyeY) / iod, 0.43],
    [(41.5493 - 55.913) / iod, (92.3655 - eyeY) / iod, 0.03], [(70.7299 - 55.913) / iod, (92.2041 - eyeY) / iod, 0.03]];
  const a = (yawDeg * Math.PI) / 180, b = (pitchDeg * Math.PI) / 180;
  const out = new Float32Array(10);
  pts.forEach(([x, y, z], i) => {
    const x1 = x * Math.cos(a) + z * Math.sin(a), z1 = -x * Math.sin(a) + z * Math.cos(a);
    const y1 = y * Math.cos(b) - z1 * Math.sin(b);
    out[2 * i] = ox + scale * x1;
    out[2 * i + 1] = oy + scale * y1;
  });
  return out;
}

function rotate(l: ArrayLike<number>, deg: number): Float32Array {
  const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180);
  return Float32Array.from({ length: l.length }, (_, i) => {
    const x = l[i - (i % 2)]! - 56, y = l[i - (i % 2) + 1]! - 72;
    return i % 2 === 0 ? 56 + c * x - s * y : 72 + s * x + c * y;
  });
}

// Mirror x about 0 and relabel left/right (a detector names points as seen in the image).
function mirror(l: ArrayLike<number>): Float32Array {
  const p = (i: number) => [-l[2 * i]!, l[2 * i + 1]!];
  return Float32Array.from([...p(1), ...p(0), ...p(2), ...p(4), ...p(3)]);
}

describe('estimatePose', () => {
  it('is ~0 on the ArcFace template at any scale and position', () => {
    for (const l of [template, template.map((v) => v * 3 + 50)]) {
      const p = estimatePose(l);
      expect(Math.abs(p.yaw)).toBeLessThan(0.5);
      expect(Math.abs(p.pitch)).toBeLessThan(0.5);
      expect(Math.abs(p.roll)).toBeLessThan(0.5);
    }
  });

  it('recovers roll from a rotated template, with yaw and pitch unchanged', () => {
    for (const deg of [-60, -20, 15, 45]) {
      const p = estimatePose(rotate(template, deg));
      expect(p.roll).toBeCloseTo(deg - 0.32, 1); // the template's eye line itself tilts by -0.32 degrees
      expect(Math.abs(p.yaw)).toBeLessThan(0.5);
      expect(Math.abs(p.pitch)).toBeLessThan(0.5);
    }
  });

  it('recovers yaw and pitch of the generic head, also when rolled', () => {
    for (const [yaw, pitch] of [[30, 0], [-45, 0], [0, 20], [0, -15], [60, 0], [20, 10]] as const) {
      const l = head(yaw, pitch);
      for (const roll of [0, 25]) {
        const p = estimatePose(rotate(l, roll));
        expect(Math.abs(p.yaw - yaw)).toBeLessThan(pitch === 0 ? 0.02 : 3); // float32 landmarks; yaw and pitch interact a little
        expect(Math.abs(p.pitch - pitch)).toBeLessThan(yaw === 0 ? 0.01 : 3);
        // Yaw then pitch tilts the eye line a little (apparent roll); alone, each leaves it level.
        expect(Math.abs(p.roll - roll)).toBeLessThan(yaw !== 0 && pitch !== 0 ? 4 : 0.01);
      }
    }
  });

  it('a mirrored face has the opposite yaw and roll', () => {
    const l = rotate(head(35, 5), 10);
    const p = estimatePose(l), m = estimatePose(mirror(l));
    expect(m.yaw).toBeCloseTo(-p.yaw, 4);
    expect(m.roll).toBeCloseTo(-p.roll, 4);
    expect(m.pitch).toBeCloseTo(p.pitch, 4);
  });

  it('reads BlazeFace landmarks (mouth centre) as the 5-point mouth midpoint', () => {
    const l = head(-25, 10);
    const blaze = Float32Array.of(l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, (l[6]! + l[8]!) / 2, (l[7]! + l[9]!) / 2, 0, 0, 0, 0);
    const a = estimatePose(blaze, 'blazeface6'), b = estimatePose(l);
    for (const k of ['yaw', 'pitch', 'roll'] as const) expect(a[k]).toBeCloseTo(b[k], 3);
  });

  it('coincident eyes give 0 rather than NaN', () => {
    expect(estimatePose(new Float32Array(10))).toEqual({ yaw: 0, pitch: 0, roll: 0 });
  });
});

describe('quality parts and overall', () => {
  it('faceSize is the shorter side of the box clipped to the image', () => {
    expect(faceSize([10, 20, 110, 70], 640, 480)).toBe(50);
    expect(faceSize([-30, -30, 10, 100], 16, 16)).toBe(10);
    expect(faceSize([50, 50, 60, 60], 16, 16)).toBe(0);
  });

  it('factors and overall stay in [0, 1] and move the right way', () => {
    expect(sizeFactor(8)).toBe(0);
    expect(sizeFactor(40)).toBeCloseTo(0.5, 9);
    expect(sizeFactor(500)).toBe(1);
    expect(poseFactor(0)).toBe(1);
    expect(poseFactor(-45)).toBeCloseTo(0.5, 9);
    expect(poseFactor(120)).toBeCloseTo(0, 9);
    expect(sharpnessFactor(0)).toBe(0);
    expect(sharpnessFactor(25)).toBe(0.5);
    const good = { score: 0.95, size: 120, yaw: 5, pitch: 0, roll: 3, sharpness: 400 };
    const q = overallQuality(good);
    expect(q).toBeGreaterThan(0.85);
    expect(q).toBeLessThanOrEqual(1);
    for (const worse of [{ score: 0.6 }, { size: 30 }, { yaw: 50 }, { sharpness: 10 }]) expect(overallQuality({ ...good, ...worse })).toBeLessThan(q);
    expect(overallQuality({ ...good, score: 1.7 })).toBeLessThanOrEqual(1);
  });

  it('qualityOptions: defaults and errors naming the option', () => {
    expect(qualityOptions({})).toEqual({ minFaceSize: 20, minQuality: 0 });
    expect(() => qualityOptions({ minQuality: 1.5 })).toThrow(/options.minQuality: expected a number in \[0, 1\], got 1.5/);
    expect(() => qualityOptions({ minFaceSize: '20' as never })).toThrow(TypeError);
    expect(() => qualityOptions({ minFaceSize: NaN })).toThrow(RangeError);
  });
});

describe('faceSharpness', () => {
  const noise = (w: number, h: number, seed: number): RgbImage => {
    const r = rng(seed);
    return { data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)), width: w, height: h, channels: 3 };
  };
  const face = (l: ArrayLike<number>) => ({ box: [0, 0, 112, 112] as [number, number, number, number], score: 1, landmarks: Float32Array.from(l) });

  it('is 0 on a flat image, high on noise, lower on the same noise blurred, one value per face', async () => {
    const flat: RgbImage = { data: new Uint8Array(150 * 150 * 3).fill(90), width: 150, height: 150, channels: 3 };
    expect(Array.from(await faceSharpness(flat, [face(template)], 'arcface5'))).toEqual([0]);
    const sharp0 = noise(150, 150, 4);
    const blurred = { ...sharp0, data: new Uint8Array(await sharp(sharp0.data, { raw: { width: 150, height: 150, channels: 3 } }).blur(2).raw().toBuffer()) };
    const [a, b] = await faceSharpness(sharp0, [face(template), face(template.map((v) => v + 10))], 'arcface5');
    const [c] = await faceSharpness(blurred, [face(template)], 'arcface5');
    // Uniform noise in 0..255, averaged over 3 channels, identity warp: 20 x variance / 3 ~ 18000.
    expect(a).toBeGreaterThan(10000);
    expect(b).toBeGreaterThan(10000);
    expect(c!).toBeLessThan(a! / 20);
  });

  it('gives the same values on the main thread (up to 8 faces) as off it (9 and more)', async () => {
    const img = noise(200, 180, 7);
    const faces = Array.from({ length: 12 }, (_, i) => face(template.map((v, k) => v + (k % 2 ? i * 3 : i * 5))));
    const many = await faceSharpness(img, faces, 'arcface5');
    const few = [...await faceSharpness(img, faces.slice(0, 6), 'arcface5'), ...await faceSharpness(img, faces.slice(6), 'arcface5')];
    expect(Array.from(many)).toEqual(few);
    const pre: Preprocessing = { size: 112, mean: [127.5, 127.5, 127.5], std: [128, 128, 128], order: 'bgr', layout: 'nchw' };
    const crops = await alignForRecognizer(img, faces, 'arcface5', pre);
    const first = await alignForRecognizer(img, faces.slice(0, 3), 'arcface5', pre);
    expect(Array.from(first)).toEqual(Array.from(crops.subarray(0, first.length)));
  });

  it('a face at the image edge gains no sharpness from the border', async () => {
    const flat: RgbImage = { data: new Uint8Array(60 * 60 * 3).fill(200), width: 60, height: 60, channels: 3 };
    expect((await faceSharpness(flat, [face(template)], 'arcface5'))[0]).toBe(0);
  });
});

describe('FaceAnalyzer quality (default models)', () => {
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create();
  });
  afterAll(async () => {
    await analyzer.dispose();
  });
  const sample = path.join(repoRoot, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');

  it('gives every face its quality; minQuality 1 keeps none', async () => {
    const faces = await analyzer.analyze(sample);
    expect(faces.length).toBeGreaterThan(0);
    for (const f of faces) {
      const q = f.quality;
      expect(q.score).toBe(f.score);
      expect(q.size).toBeGreaterThanOrEqual(20);
      expect(q.sharpness).toBeGreaterThan(0);
      expect(q.overall).toBeGreaterThan(0);
      expect(q.overall).toBeLessThan(1);
      expect(q.overall).toBeCloseTo(overallQuality(q), 12);
    }
    const strict = await FaceAnalyzer.create({ detector: analyzer.detector, recognizer: analyzer.recognizer, minQuality: 1 });
    expect(await strict.analyze(sample)).toEqual([]);
    await expect(FaceAnalyzer.create({ minFaceSize: -1 })).rejects.toThrow(/options.minFaceSize/);
  });

  it('a 16x16 photo yields no face (default minFaceSize 20)', async () => {
    const faces = await analyzer.analyze(sample);
    const [x1, y1, x2, y2] = faces[0]!.box.map(Math.round) as [number, number, number, number];
    const tiny = await sharp(sample).extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 }).resize(16, 16).png().toBuffer();
    expect(await analyzer.analyze(tiny)).toEqual([]);
    // Without the size rule the detector does report a ~15 px "face" there, scoring ~0 overall.
    const any = await FaceAnalyzer.create({ detector: analyzer.detector, recognizer: analyzer.recognizer, minFaceSize: 0 });
    const found = await any.analyze(tiny);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.quality.size).toBeLessThan(20);
    expect(found[0]!.quality.overall).toBeLessThan(0.01);
    // The same crop at 160 px is found: the photo has a face, it is the size rule that drops it.
    const big = await sharp(sample).extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 }).resize(160, 160).png().toBuffer();
    expect((await analyzer.analyze(big)).length).toBeGreaterThan(0);
  });
});
