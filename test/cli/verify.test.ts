import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownRecognizerByName } from '../../src/models/known-models.js';
import { runIn } from './capture.js';
import { faceless, samplePhoto } from './photos.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facecore-cli-verify-'));
  await faceless(path.join(dir, 'grey.png'));
  await writeFile(path.join(dir, 'broken.jpg'), Buffer.from('not a photo'));
});
afterAll(async () => {
  await rm(dir, { recursive: true });
});

const run = (...argv: string[]) => runIn(dir, ...argv);

describe('facecore verify', () => {
  const calibrated = knownRecognizerByName('foamliu-mobilefacenet')!.threshold!;

  it('scores a photo against itself as the same person at the calibrated threshold', async () => {
    const r = await run('verify', samplePhoto(1), samplePhoto(1), '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(j.score).toBeCloseTo(1, 4);
    expect(j).toMatchObject({ same: true, threshold: calibrated, model: 'foamliu-mobilefacenet + yunet' });
    expect(j.a.facesFound).toBe(3);
    expect(j.a.box).toHaveLength(4);
  });

  it('tells two different people apart, and --threshold moves the decision', async () => {
    const r = await run('verify', samplePhoto(1), samplePhoto(2));
    expect(r.code).toBe(0);
    const m = /score (\d\.\d{4}) < threshold ([\d.]+) -> different people\n$/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    const score = Number(m![1]);
    expect(Number(m![2])).toBe(calibrated);
    const low = await run('verify', samplePhoto(1), samplePhoto(2), '--threshold', String(score - 0.01), '--json');
    expect(JSON.parse(low.out)).toMatchObject({ same: true, threshold: score - 0.01 });
  });

  it('fails in one line with exit 1 on a missing file, an unreadable image or no face', async () => {
    const missing = await run('verify', 'nope.jpg', samplePhoto(1));
    expect([missing.code, missing.err]).toEqual([1, 'facecore verify: file not found: nope.jpg\n']);
    const broken = await run('verify', samplePhoto(1), 'broken.jpg');
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^facecore verify: unreadable image broken\.jpg: expected an image \(JPEG[^\n]*\n$/);
    const grey = await run('verify', 'grey.png', samplePhoto(1), '--json');
    expect([grey.code, grey.out, grey.err]).toEqual([1, '', 'facecore verify: no face found in grey.png\n']);
  });

  it('rejects bad usage with exit 2 and an unloadable model with exit 1', async () => {
    const one = await run('verify', samplePhoto(1));
    expect(one.code).toBe(2);
    expect(one.err.split('\n')[0]).toBe('facecore verify: expected <photo-a> <photo-b>, got 1 argument(s)');
    const t = await run('verify', samplePhoto(1), samplePhoto(2), '--threshold', '2');
    expect([t.code, t.err.split('\n')[0]]).toEqual([2, 'facecore verify: --threshold: expected a cosine in [-1, 1], got "2"']);
    const m = await run('verify', samplePhoto(1), samplePhoto(2), '--model', 'missing.onnx');
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/^facecore verify: cannot load the models: [^\n]*missing\.onnx[^\n]*\n$/);
  });
});
