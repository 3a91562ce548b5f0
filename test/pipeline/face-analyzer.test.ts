import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, type RgbImage } from '../../src/image/decode.js';
import { liveSessions } from '../../src/models/session.js';
import { FaceAnalyzer, type AnalyzedFaces, type BatchError, type StageTimings } from '../../src/pipeline/face-analyzer.js';
import { hasShared, repoRoot, sharedData, sharedModel } from '../helpers/shared.js';

const demo = (n: number) => path.join(repoRoot, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`);
const black: RgbImage = { data: new Uint8Array(320 * 240 * 3), width: 320, height: 240, channels: 3 };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

function auc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

let analyzer: FaceAnalyzer;
beforeAll(async () => {
  analyzer = await FaceAnalyzer.create();
});
afterAll(async () => {
  await analyzer.dispose();
  expect(liveSessions()).toBe(0);
});

describe('FaceAnalyzer with the default (shipped) models', () => {
  it('uses YuNet + foamliu MobileFaceNet from models/ with calibrated verify and group thresholds', () => {
    expect(analyzer.detector.name).toBe('yunet');
    expect(analyzer.recognizer.id).toBe('foamliu-mobilefacenet');
    const { verify, group } = analyzer.recognizer.thresholds;
    expect(verify).toBeGreaterThan(0);
    expect(group).toBeGreaterThan(0);
    expect(analyzer.recognizer.threshold).toBe(verify);
  });

  it('analyzes a photo: boxes, landmarks and unit embeddings, with per-stage timings', async () => {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    const faces = await analyzer.analyze(demo(1), { timings });
    expect(faces.length).toBeGreaterThan(0);
    for (const f of faces) {
      expect(f.embedding).toHaveLength(analyzer.recognizer.dim);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 5);
      expect(f.box[2]).toBeGreaterThan(f.box[0]);
    }
    for (const v of Object.values(timings)) expect(v).toBeGreaterThan(0);
    const none = await analyzer.analyze(black);
    expect(none).toEqual([]);
    expect([none.width, none.height]).toEqual([320, 240]);
  });

  it('analyze results carry the decoded size (after EXIF rotation)', async () => {
    const faces = await analyzer.analyze(demo(1));
    const sharp = (await import('sharp')).default;
    const meta = await sharp(demo(1)).metadata();
    const rotated = (meta.orientation ?? 1) >= 5;
    expect([faces.width, faces.height]).toEqual(rotated ? [meta.height, meta.width] : [meta.width, meta.height]);
  });

  it("analyzeBatch with errors: 'collect' gives failing photos an { error } entry and goes on", async () => {
    const batch = await analyzer.analyzeBatch([demo(1), Buffer.alloc(0), '/nonexistent.jpg', black], { errors: 'collect' });
    expect(batch).toHaveLength(4);
    expect((batch[0] as unknown[]).length).toBeGreaterThan(0);
    expect((batch[1] as { error: Error }).error).toBeInstanceOf(RangeError);
    expect((batch[1] as { error: Error }).error.message).toMatch(/^inputs\[1\]: /);
    expect((batch[2] as { error: Error }).error.message).toMatch(/inputs\[2\]: .*file not found/);
    expect(batch[3]).toEqual([]);
    await expect(analyzer.analyzeBatch([demo(1)], { errors: 'ignore' as never })).rejects.toThrow(/options.errors/);
  });

  it('analyzeBatch returns what analyze does, in order, with progress', async () => {
    const inputs = [demo(1), demo(3), fs.readFileSync(demo(2)), black];
    const progress: number[] = [];
    const batch = await analyzer.analyzeBatch(inputs, { concurrency: 3, onProgress: (done, total) => progress.push(done * 10 + total) });
    expect(progress).toEqual([14, 24, 34, 44]);
    expect(batch[3]).toEqual([]);
    for (const i of [0, 2]) {
      const single = await analyzer.analyze(inputs[i]!);
      expect(batch[i]!.map((f) => f.box)).toEqual(single.map((f) => f.box));
      expect(dot(batch[i]![0]!.embedding, single[0]!.embedding)).toBeCloseTo(1, 5);
    }
  });

  it('analyzeBatch decoding ahead (0 to 3 photos, 1 to 3 in analysis) gives the same faces, in order, and collects errors', async () => {
    const inputs = [demo(1), Buffer.from('not an image'), demo(2), demo(3), '/nonexistent.jpg', demo(4), black, demo(5)];
    const want = await Promise.all(inputs.map((x) => analyzer.analyze(x).catch((error: Error) => ({ error }))));
    for (const [concurrency, decodeAhead] of [[1, 0], [1, 1], [1, 3], [2, 1], [3, 2]] as const) {
      const got = await analyzer.analyzeBatch(inputs, { concurrency, decodeAhead, errors: 'collect' });
      expect(got).toHaveLength(inputs.length);
      for (const [i, w] of want.entries()) {
        const g = got[i]!;
        if ('error' in w) {
          expect((g as BatchError).error.message).toBe(`inputs[${i}]: ${w.error.message}`);
          continue;
        }
        const faces = g as AnalyzedFaces;
        expect([faces.width, faces.height]).toEqual([w.width, w.height]);
        expect(faces.map((f) => f.box)).toEqual(w.map((f) => f.box));
        faces.forEach((f, k) => expect(Array.from(f.embedding)).toEqual(Array.from(w[k]!.embedding)));
      }
    }
    await expect(analyzer.analyzeBatch(inputs, { decodeAhead: 1 })).rejects.toThrow(/^inputs\[1\]: input: expected an image/);
    await expect(analyzer.analyzeBatch([demo(1)], { decodeAhead: -1 })).rejects.toThrow(/options.decodeAhead: /);
  });

  it('applies embedded ICC profiles only with colourManaged: true', async () => {
    expect(analyzer.colourManaged).toBe(false);
    const sharp = (await import('sharp')).default;
    // demo(1) re-encoded as Display P3 values with the P3 profile embedded.
    const p3 = await sharp(demo(1)).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
    const managedAnalyzer = await FaceAnalyzer.create({ detector: analyzer.detector, recognizer: analyzer.recognizer, colourManaged: true });
    try {
      const [stored, managed] = [await analyzer.analyze(p3), await managedAnalyzer.analyze(p3)];
      const expectSame = (a: AnalyzedFaces, b: AnalyzedFaces) => expect(a.map((f) => Array.from(f.embedding))).toEqual(b.map((f) => Array.from(f.embedding)));
      expectSame(stored, await analyzer.analyze(await decodeImage(p3)));
      expectSame(managed, await analyzer.analyze(await decodeImage(p3, 'input', { colourManaged: true })));
      expect(dot(stored[0]!.embedding, managed[0]!.embedding)).toBeLessThan(0.99999); // the two decodes differ...
      expect(dot(stored[0]!.embedding, managed[0]!.embedding)).toBeGreaterThan(0.9); // ...a little
    } finally {
      await managedAnalyzer.dispose();
    }
    await expect(FaceAnalyzer.create({ detector: analyzer.detector, recognizer: analyzer.recognizer, colourManaged: 'srgb' as never })).rejects.toThrow(/options.colourManaged: expected a boolean/);
  });

  it('analyzeBatch stops when aborted', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(analyzer.analyzeBatch([demo(1)], { signal: aborted.signal })).rejects.toThrow(/abort/i);
    const later = new AbortController();
    let seen = 0;
    const run = analyzer.analyzeBatch([demo(1), demo(2), demo(3), demo(4), demo(5)], {
      concurrency: 1, signal: later.signal, onProgress: () => { if (++seen === 1) later.abort(); },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toBeLessThan(5);
  });

  it('verify: a photo matches itself; a photo without a face is a clear error', async () => {
    const self = await analyzer.verify(demo(4), demo(4));
    expect(self.score).toBeCloseTo(1, 4);
    expect(self.same).toBe(true);
    await expect(analyzer.verify(demo(4), black)).rejects.toThrow(/b: expected a photo with a face/);
    await expect(analyzer.verify(demo(4), new Float32Array(3))).rejects.toThrow(RangeError);
  });

  it('rejects bad input with clear errors', async () => {
    await expect(analyzer.analyze(Buffer.alloc(0))).rejects.toThrow(RangeError);
    await expect(analyzer.analyze(Buffer.from('not an image at all'))).rejects.toThrow(TypeError);
    await expect(analyzer.analyze('/nonexistent.jpg')).rejects.toThrow(/^input: file not found/);
    await expect(analyzer.analyze('/nonexistent.jpg', { name: 'photo.jpg' })).rejects.toThrow(/^photo\.jpg: file not found/);
    await expect(analyzer.analyze(Buffer.alloc(0), { name: 'photo.jpg' })).rejects.toThrow(/^photo\.jpg: expected an encoded image/);
    await expect(analyzer.analyze(demo(1), { name: 3 as never })).rejects.toThrow(/options.name: expected a string/);
    await expect(analyzer.analyzeBatch('x' as never)).rejects.toThrow(TypeError);
    await expect(analyzer.analyzeBatch([demo(1)], { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(analyzer.analyzeBatch([demo(1), Buffer.alloc(0)])).rejects.toThrow(/inputs\[1\]: input/);
    await expect(FaceAnalyzer.create({ detector: 42 as never })).rejects.toThrow(TypeError);
  });

  it('refuses use after dispose and leaks no session', async () => {
    const before = liveSessions();
    const other = await FaceAnalyzer.create({ recognizer: 'mobileface' });
    expect(liveSessions()).toBe(before + 2);
    await other.dispose();
    expect(liveSessions()).toBe(before);
    await expect(other.analyze(demo(1))).rejects.toThrow(/after dispose/);
  });
});

function readPairs(set: string): { a: string; b: string; same: boolean }[] {
  const [, ...rows] = fs.readFileSync(sharedData(set, 'pairs.csv'), 'utf8').trim().split(/\r?\n/);
  return rows.map((r) => r.split(',')).map(([a, b, s]) => ({ a: path.join(set, a!), b: path.join(set, b!), same: s === '1' }));
}

describe.skipIf(!hasShared)('recognition quality with the defaults (../shared pairs)', () => {
  const cache = new Map<string, Float32Array>();
  const embedding = async (file: string) => {
    if (!cache.has(file)) cache.set(file, await analyzer.embedMainFace(sharedData(file)));
    return cache.get(file)!;
  };

  for (const set of ['deepface', 'face_recognition', 'face_api_js']) {
    it(`AUC >= 0.99 on ${set}/pairs.csv; same person above different people on average`, async () => {
      const pos: number[] = [], neg: number[] = [];
      for (const p of readPairs(set)) (p.same ? pos : neg).push(dot(await embedding(p.a), await embedding(p.b)));
      expect(auc(pos, neg)).toBeGreaterThanOrEqual(0.99);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(pos)).toBeGreaterThan(mean(neg) + 0.2);
    });
  }

  it('counts faces: deepface img1 = 1, couple = 2; group photos (bbt4 = 6, insightface t1 = 6)', async () => {
    expect(await analyzer.analyze(sharedData('deepface/img1.jpg'))).toHaveLength(1);
    expect(await analyzer.analyze(sharedData('deepface/couple.jpg'))).toHaveLength(2);
    expect(await analyzer.analyze(sharedData('face_api_js/examples/images/bbt4.jpg'))).toHaveLength(6);
    expect(await analyzer.analyze(sharedData('insightface/python-package/insightface/data/images/t1.jpg'))).toHaveLength(6);
  });

  it('tight greyscale crops (150x150, face fills the frame): one face each, the same person matches', async () => {
    const dir = 'face_api_js/examples/images/sheldon';
    const files = fs.readdirSync(sharedData(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    expect(files.length).toBeGreaterThan(1);
    const meta = await (await import('sharp')).default(sharedData(dir, files[0]!)).metadata();
    expect(meta.channels).toBe(1);
    const faces = await analyzer.analyze(sharedData(dir, files[0]!));
    expect(faces).toHaveLength(1);
    const same = await analyzer.verify(sharedData(dir, files[0]!), sharedData(dir, files[1]!));
    expect(same.same).toBe(true);
  });

  it('shrink-on-load: a 4352 px JPEG decoded at 1/4 gives full-resolution boxes and the same embedding', async () => {
    const file = sharedData('deepface/img49.jpg');
    const full = await FaceAnalyzer.create({ decodeMaxSide: false });
    try {
      const a = await full.analyze(file);
      const b = await analyzer.analyze(file);
      expect(analyzer.decodeMaxSide).toBe(960);
      expect(Math.max(a.width, a.height)).toBeGreaterThanOrEqual(960 * 4);
      expect([b.width, b.height]).toEqual([a.width, a.height]);
      expect(b).toHaveLength(a.length);
      const side = a[0]!.box[2] - a[0]!.box[0];
      for (let i = 0; i < 4; i++) expect(Math.abs(b[0]!.box[i]! - a[0]!.box[i]!)).toBeLessThan(0.05 * side);
      for (let i = 0; i < 10; i++) expect(Math.abs(b[0]!.landmarks[i]! - a[0]!.landmarks[i]!)).toBeLessThan(0.03 * side);
      expect(dot(a[0]!.embedding, b[0]!.embedding)).toBeGreaterThan(0.95);
    } finally {
      await full.dispose();
    }
  });

  it('small faces: a photo shrunk to 1/4 (faces ~25 px) still finds the couple', async () => {
    const sharp = (await import('sharp')).default;
    const src = sharedData('deepface/couple.jpg');
    const { width } = await sharp(src).metadata();
    const small = await sharp(src).resize({ width: Math.round(width! / 4) }).jpeg().toBuffer();
    expect(await analyzer.analyze(small)).toHaveLength(2);
  });

  it('verify: obama scores above obama2 than biden; biden is not obama at the calibrated threshold', async () => {
    const train = 'face_recognition/examples/knn_examples/train';
    const obama = await embedding(`${train}/obama/obama.jpg`);
    const same = await analyzer.verify(obama, await embedding(`${train}/obama/obama2.jpg`));
    const other = await analyzer.verify(obama, await embedding(`${train}/biden/biden.jpg`));
    expect(same.score).toBeGreaterThan(other.score + 0.1);
    expect(other.same).toBe(false);
    // The 1080p and 240p copies of one photo are the same person at any sensible threshold.
    const res = await analyzer.verify(sharedData('face_recognition/examples/obama-1080p.jpg'), sharedData('face_recognition/examples/obama-240p.jpg'));
    expect(res.same).toBe(true);
  });

  it('runs any detector x recogniser from files (SCRFD + foamliu MobileFaceNet)', async () => {
    const fa = await FaceAnalyzer.create({ detector: sharedModel('det_500m.onnx'), recognizer: sharedModel('mobilefacenet.onnx') });
    try {
      expect(fa.recognizer.id).toBe('foamliu-mobilefacenet');
      const r = await fa.verify(sharedData('deepface/img1.jpg'), sharedData('deepface/img2.jpg'));
      expect(r.same).toBe(true);
    } finally {
      await fa.dispose();
    }
  });
});
