// MarginHead on real face embeddings: the closed-set identifier an organisation would fit on
// its enrolled people. Seven LFW identities (krasserm_face_recognition, 10 photos each), embedded
// by the default pipeline; the head trains on 6 photos per person and names the other 4.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceAnalyzer } from '../../src/pipeline/face-analyzer.js';
import { MarginHead } from '../../src/train/margin-head.js';
import { hasShared, sharedData } from '../helpers/shared.js';

const root = sharedData('krasserm_face_recognition');

describe.skipIf(!hasShared)('MarginHead on embeddings of real faces (../shared/data)', () => {
  let analyzer: FaceAnalyzer;
  let dim = 0;
  const train = { x: [] as number[], y: [] as number[] };
  const held = { x: [] as number[], y: [] as number[] };

  beforeAll(async () => {
    const rows = fs.readFileSync(`${root}/labels.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const names = [...new Set(rows.map((r) => r[1]))];
    analyzer = await FaceAnalyzer.create();
    const faces = await analyzer.analyzeBatch(rows.map((r) => `${root}/${r[0]}`), { concurrency: 2 });
    const seen = new Map<string, number>();
    rows.forEach(([, name], i) => {
      // The largest face is the labelled person in these LFW crops.
      const face = [...faces[i]].sort((a, b) => (b.box[2] - b.box[0]) - (a.box[2] - a.box[0]))[0];
      if (!face) return;
      dim = face.embedding.length;
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      const split = n < 6 ? train : held;
      split.x.push(...face.embedding);
      split.y.push(names.indexOf(name));
    });
  }, 300_000);
  afterAll(async () => analyzer?.dispose());

  it('reaches >= 99% training accuracy with a falling loss, and names held-out photos', () => {
    const classes = Math.max(...train.y) + 1;
    const x = Float32Array.from(train.x), y = Int32Array.from(train.y);
    expect(y.length).toBeGreaterThanOrEqual(classes * 5);
    const head = new MarginHead({ dim, classes, seed: 1, lr: 0.1 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 200; epoch++) losses.push(head.step(x, y).loss);
    const accuracy = (xs: number[], ys: number[]) => {
      const p = head.predict(Float32Array.from(xs), 1);
      return ys.filter((label, i) => p.classes[i] === label).length / ys.length;
    };
    console.log(`faces: loss ${losses[0].toFixed(2)} -> ${losses[losses.length - 1].toFixed(3)}, train ${accuracy(train.x, train.y)}, held-out ${accuracy(held.x, held.y)} (${held.y.length} photos)`);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    expect(accuracy(train.x, train.y)).toBeGreaterThanOrEqual(0.99);
    expect(accuracy(held.x, held.y)).toBeGreaterThanOrEqual(0.85);
  });
});
