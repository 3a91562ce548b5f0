import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { marginSoftmaxLoss } from '../../src/core/margin.js';
import { MarginHead, type MarginHeadOptions } from '../../src/train/margin-head.js';
import { sampleClasses } from '../../src/train/partial-fc.js';
import { rng } from '../helpers/random.js';

// Synthetic identities: a random unit centre per class, samples = centre + Gaussian noise.
function clustered(classes: number, perClass: number, dim: number, noise: number, seed: number) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++) {
    let n = 0;
    for (let q = 0; q < dim; q++) n += (centres[c * dim + q] = gauss()) ** 2;
    for (let q = 0; q < dim; q++) centres[c * dim + q] /= Math.sqrt(n);
  }
  const x = new Float32Array(classes * perClass * dim), labels = new Int32Array(classes * perClass);
  for (let i = 0; i < labels.length; i++) {
    const c = i % classes; // interleaved: every batch slice holds every class
    labels[i] = c;
    for (let q = 0; q < dim; q++) x[i * dim + q] = centres[c * dim + q] + noise * gauss();
  }
  return { x, labels };
}

function trainingAccuracy(head: MarginHead, x: Float32Array, labels: Int32Array): number {
  const p = head.predict(x, 1);
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += p.classes[i] === labels[i] ? 1 : 0;
  return ok / labels.length;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-head-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('MarginHead', () => {
  const dim = 32, classes = 40;
  const data = clustered(classes, 25, dim, 0.09, 7);

  function train(options: Partial<MarginHeadOptions>, epochs: number) {
    const head = new MarginHead({ dim, classes, seed: 3, ...options });
    const batch = 200, losses: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for (let b = 0; b < data.labels.length; b += batch) {
        const r = head.step(data.x.subarray(b * dim, (b + batch) * dim), data.labels.subarray(b, b + batch));
        losses.push(r.loss);
      }
    }
    return { head, losses };
  }

  const configs: Array<[string, Partial<MarginHeadOptions>]> = [
    ['ArcFace, SGD with momentum', {}],
    ['CosFace, AdamW, cosine schedule with warm-up', { m2: 0, m3: 0.35, optimizer: 'adamw', lr: 0.01, schedule: 'cosine', totalSteps: 150, warmupSteps: 5 }],
    ['sub-centres K = 3, Partial FC rate 0.5, poly schedule', { subcenters: 3, sampleRate: 0.5, schedule: 'poly', totalSteps: 150 }],
  ];
  for (const [name, options] of configs) {
    it(`reaches >= 99% training accuracy with falling loss: ${name}`, () => {
      const { head, losses } = train(options, 30);
      const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
      const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
      expect(last).toBeLessThan(first / 3);
      expect(trainingAccuracy(head, data.x, data.labels)).toBeGreaterThanOrEqual(0.99);
      expect(head.evaluate(data.x, data.labels).accuracy).toBeGreaterThanOrEqual(0.99);
    });
  }

  it('applies exactly the SGD-momentum and AdamW updates to the rows the step computed on', () => {
    const d = 8, C = 30, K = 2, x = data.x.subarray(0, 10 * dim).slice(0, 10 * d), y = Int32Array.from({ length: 10 }, (_, i) => i % C);
    const w0 = new MarginHead({ dim: d, classes: C, subcenters: K, seed: 5 }).weights.slice();
    const loss = (w: Float32Array, extra = {}) =>
      marginSoftmaxLoss(x, w, y, { dim: d, classes: C, subcenters: K, ...extra }).gradW;
    const close = (got: Float32Array, want: Float64Array) => {
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[i])));
    };
    // SGD, momentum 0.9, weight decay 0.01, two steps.
    const sgd = new MarginHead({ dim: d, classes: C, subcenters: K, weights: w0, lr: 0.05, momentum: 0.9, weightDecay: 0.01 });
    const w = Float64Array.from(w0), buf = new Float64Array(w.length);
    for (let t = 0; t < 2; t++) {
      const g = loss(sgd.weights);
      sgd.step(x, y);
      for (let i = 0; i < w.length; i++) {
        buf[i] = 0.9 * buf[i] + g[i] + 0.01 * w[i];
        w[i] -= 0.05 * buf[i];
      }
      close(sgd.weights, w);
    }
    // AdamW with Partial FC: only the sampled classes' rows move.
    const adam = new MarginHead({ dim: d, classes: C, subcenters: K, weights: w0, optimizer: 'adamw', lr: 0.01, sampleRate: 0.5, seed: 9 });
    const sampled = sampleClasses(y, C, 0.5, 9); // the head's first step uses seed + 0
    const g = loss(w0, { activeClasses: sampled.activeClasses });
    const want = Float64Array.from(w0);
    sampled.activeClasses.forEach((c, a) => {
      for (let q = 0; q < K * d; q++) {
        const gq = g[a * K * d + q], i = c * K * d + q;
        const m = 0.1 * gq, v = 0.001 * gq * gq;
        want[i] -= 0.01 * (m / 0.1 / (Math.sqrt(v / 0.001) + 1e-8) + 0.01 * w0[i]);
      }
    });
    adam.step(x, y);
    close(adam.weights, want); // unsampled rows included: they must not move
    expect(sampled.activeClasses.length).toBe(15); // 10 positives + 5 sampled; 15 rows stay
  });

  it('stepAsync (loss and update on worker threads) gives the same results and bytes as step', async () => {
    for (const options of [{}, { optimizer: 'adamw', lr: 0.01, sampleRate: 0.5 }] as Partial<MarginHeadOptions>[]) {
      const sync = new MarginHead({ dim, classes, seed: 4, ...options });
      const async = new MarginHead({ dim, classes, seed: 4, ...options });
      for (let b = 0; b < 600; b += 200) {
        const x = data.x.subarray(b * dim, (b + 200) * dim), y = data.labels.subarray(b, b + 200);
        const want = sync.step(x, y);
        const pending = async.stepAsync(x, y);
        expect(pending).toBeInstanceOf(Promise);
        expect(await pending).toEqual(want);
      }
      expect(async.stepCount).toBe(3);
      expect(async.weights).toEqual(sync.weights);
      expect(async.weights).not.toEqual(new MarginHead({ dim, classes, seed: 4, ...options }).weights);
    }
  });

  it('learning-rate schedules: warm-up, cosine to 0, poly to 0', () => {
    const cos = new MarginHead({ dim: 2, classes: 2, lr: 1, schedule: 'cosine', totalSteps: 110, warmupSteps: 10 });
    expect(cos.learningRate(0)).toBeCloseTo(0.1);
    expect(cos.learningRate(10)).toBeCloseTo(1);
    expect(cos.learningRate(60)).toBeCloseTo(0.5);
    expect(cos.learningRate(110)).toBeCloseTo(0);
    const poly = new MarginHead({ dim: 2, classes: 2, lr: 1, schedule: 'poly', totalSteps: 100 });
    expect(poly.learningRate(50)).toBeCloseTo(0.25);
  });

  it('predict returns distinct classes best first, max over sub-centres', () => {
    const head = new MarginHead({ dim: 3, classes: 3, subcenters: 2, weights: Float32Array.from([
      1, 0, 0, 0, 1, 0, // class 0
      0.9, 0.1, 0, 0, 0, 1, // class 1
      -1, 0, 0, 0, -1, 0, // class 2
    ]) });
    const p = head.predict(Float32Array.from([1, 0, 0, 0, 0, 2]), 5);
    expect(p.k).toBe(3);
    expect(Array.from(p.classes)).toEqual([0, 1, 2, 1, 0, 2]);
    expect(p.scores[0]).toBeCloseTo(1);
    expect(p.scores[3]).toBeCloseTo(1);
  });

  it('save / load round-trips weights, settings and optimizer state; training resumes identically', async () => {
    const { head } = train({ optimizer: 'adamw', lr: 0.01, subcenters: 2, sampleRate: 0.5 }, 2);
    const file = path.join(tmp, 'head.fcmh');
    await head.save(file);
    expect(fs.readdirSync(tmp)).toEqual(['head.fcmh']); // no temporary left behind
    const back = await MarginHead.load(file);
    expect(back.weights).toEqual(head.weights);
    expect(back.stepCount).toBe(head.stepCount);
    const xb = data.x.subarray(0, 100 * dim), yb = data.labels.subarray(0, 100);
    expect(back.step(xb, yb)).toEqual(head.step(xb, yb));
    expect(back.weights).toEqual(head.weights);
    // Overwriting is atomic: the file always holds a complete head.
    await back.save(file);
    expect((await MarginHead.load(file)).stepCount).toBe(back.stepCount);
  });

  it('load rejects a corrupted or truncated file', async () => {
    const head = new MarginHead({ dim: 4, classes: 3 });
    const file = path.join(tmp, 'bad.fcmh');
    await head.save(file);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 9] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expect(MarginHead.load(file)).rejects.toThrow(/checksum mismatch/);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    await expect(MarginHead.load(file)).rejects.toThrow(RangeError);
    fs.writeFileSync(file, Buffer.from('not a head at all, clearly'));
    await expect(MarginHead.load(file)).rejects.toThrow(/bad magic/);
  });

  it('rejects bad options and input', () => {
    expect(() => new MarginHead({ dim: 0, classes: 3 })).toThrow(/options.dim: expected an integer/);
    expect(() => new MarginHead({ dim: 4, classes: 3, optimizer: 'adam' as 'sgd' })).toThrow(/options.optimizer: expected 'sgd' \| 'adamw'/);
    expect(() => new MarginHead({ dim: 4, classes: 3, schedule: 'cosine' })).toThrow(/options.totalSteps: expected an integer >= 1/);
    expect(() => new MarginHead({ dim: 4, classes: 3, sampleRate: 0 })).toThrow(/options.sampleRate: expected a number in \(0, 1\]/);
    expect(() => new MarginHead({ dim: 4, classes: 3, lr: -1 })).toThrow(RangeError);
    expect(() => new MarginHead({ dim: 4, classes: 3, weights: new Float32Array(5) })).toThrow(/options.weights: expected classes \* subcenters \* dim = 12/);
    const head = new MarginHead({ dim: 4, classes: 3 });
    expect(() => head.step(new Float32Array(8), new Int32Array([0, 3]))).toThrow(/labels: expected values in \[-1, 3\)/);
    expect(() => head.step(new Float32Array(7), new Int32Array([0]))).toThrow(/x: expected a length that is a multiple of dim/);
    expect(() => head.predict(new Float32Array(4), 0)).toThrow(/k: expected an integer/);
  });
});
