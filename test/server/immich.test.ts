// Immich's ML API, called exactly as Immich's server calls it (machine-learning repository):
// Node's FormData with `entries` (JSON string) and `image` (a Blob), POST /predict.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../helpers/shared.js';
import { photo, sharedAnalyzer, startServer, type Running } from './fixture.js';

const FACES = { 'facial-recognition': { detection: { modelName: 'buffalo_l', options: { minScore: 0.7 } }, recognition: { modelName: 'buffalo_l' } } };

async function predict(url: string, entries: object, image: Buffer) {
  const form = new FormData();
  form.append('entries', JSON.stringify(entries));
  form.append('image', new Blob([new Uint8Array(image)]));
  const res = await fetch(`${url}/predict`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

describe.skipIf(!hasShared)('Immich ML API', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer();
  }, 120_000);
  afterAll(async () => server?.close());

  it('answers /ping with pong', async () => {
    const res = await fetch(`${server.url}/ping`);
    expect([res.status, await res.text()]).toEqual([200, 'pong']);
  });

  it('answers facial-recognition with 512-d zero-padded embeddings that keep the cosine', async () => {
    const a = fs.readFileSync(photo('img1.jpg')), b = fs.readFileSync(photo('img2.jpg'));
    const [ra, rb] = [await predict(server.url, FACES, a), await predict(server.url, FACES, b)];
    expect(ra.status).toBe(200);
    const fa = ra.body['facial-recognition'], fb = rb.body['facial-recognition'];
    expect(fa).toHaveLength(1);
    expect(fa[0].boundingBox).toEqual({ x1: expect.any(Number), y1: expect.any(Number), x2: expect.any(Number), y2: expect.any(Number) });
    expect(fa[0].score).toBeGreaterThanOrEqual(0.7);
    expect(typeof fa[0].embedding).toBe('string');
    const ea = JSON.parse(fa[0].embedding) as number[], eb = JSON.parse(fb[0].embedding) as number[];
    expect(ea).toHaveLength(512);
    expect(ea.slice(128).every((v) => v === 0)).toBe(true);
    expect(Math.hypot(...ea)).toBeCloseTo(1, 5);
    // The same cosine the library gives for the two photos.
    const { score } = await (await sharedAnalyzer()).verify(a, b);
    expect(ea.reduce((s, v, i) => s + v * eb[i]!, 0)).toBeCloseTo(score, 5);
    const meta = await (await import('sharp')).default(a).metadata();
    expect([ra.body.imageWidth, ra.body.imageHeight]).toEqual([meta.width, meta.height]);
  }, 60_000);

  it('applies minScore and refuses other tasks with a 4xx', async () => {
    const many = fs.readFileSync(photo('selfie-many-people.jpg'));
    const low = await predict(server.url, { 'facial-recognition': { detection: { options: { minScore: 0.5 } }, recognition: {} } }, many);
    const high = await predict(server.url, { 'facial-recognition': { detection: { options: { minScore: 0.95 } }, recognition: {} } }, many);
    expect(low.body['facial-recognition'].length).toBeGreaterThanOrEqual(high.body['facial-recognition'].length);
    for (const f of high.body['facial-recognition']) expect(f.score).toBeGreaterThanOrEqual(0.95);
    const clip = await predict(server.url, { clip: { visual: { modelName: 'ViT-B-32__openai' } } }, many);
    expect(clip.status).toBe(422);
    expect(clip.body.message).toMatch(/only 'facial-recognition', got 'clip'/);
    const junk = await predict(server.url, FACES, Buffer.from('not an image'));
    expect(junk.status).toBe(400);
  }, 60_000);
});
