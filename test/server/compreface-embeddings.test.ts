// CompreFace 1.2's embedding verification (against a stored face, and source vs targets), the
// pose plugin, the enrolled-image route (not offered: 501) and the inference timeout, over HTTP
// with plain fetch (the JavaScript SDK 1.0 has none of these calls).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo, startServer, type Running } from './fixture.js';

type Json = Record<string, any>;  // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!hasShared)('CompreFace embeddings, pose, images and the inference timeout', () => {
  let server: Running;
  let imageId: string;
  const emb: Record<string, number[]> = {};

  const call = async (method: string, path: string, body?: unknown, key: string | null = KEY) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (key !== null) headers['x-api-key'] = key;
    const res = await fetch(server.url + path, { method, headers, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: await res.json() as Json };
  };
  const file = (name: string) => ({ file: fs.readFileSync(photo(name)).toString('base64') });

  beforeAll(async () => {
    server = await startServer();
    const added = await call('POST', '/api/v1/recognition/faces?subject=angelina', file('img1.jpg'));
    expect(added.status).toBe(201);
    imageId = added.body.image_id;
    for (const name of ['img1.jpg', 'img2.jpg', 'img8.jpg']) {
      const r = await call('POST', '/api/v1/detection/detect?face_plugins=calculator', file(name));
      emb[name] = r.body.result[0].embedding;
    }
  }, 120_000);
  afterAll(async () => server?.close());

  it('verifies embeddings against a stored face, as the image route does', async () => {
    const r = await call('POST', `/api/v1/recognition/embeddings/faces/${imageId}/verify`, { embeddings: [emb['img2.jpg'], emb['img8.jpg']] });
    expect(r.status).toBe(200);
    expect(r.body.result.map((x: Json) => x.embedding)).toEqual([emb['img2.jpg'], emb['img8.jpg']]);
    const [same, other] = r.body.result.map((x: Json) => x.similarity);
    expect(same).toBeGreaterThan(0.5);
    expect(other).toBeLessThan(0.5);
    // The image route's similarity for the same photo (embedding rounded to 1e-6 on the way out).
    const byImage = await call('POST', `/api/v1/recognition/faces/${imageId}/verify`, file('img2.jpg'));
    expect(Math.abs(byImage.body.result[0].similarity - same)).toBeLessThanOrEqual(2e-4);
    // Length does not matter: the cosine is taken.
    for (const scale of [7, 1e-300, 1e300]) {
      const scaled = await call('POST', `/api/v1/recognition/embeddings/faces/${imageId}/verify`, { embeddings: [emb['img2.jpg']!.map((v) => v * scale)] });
      expect([scale, scaled.body.result[0].similarity]).toEqual([scale, same]);
    }
  });

  it('verifies target embeddings against a source embedding, as the image route does', async () => {
    const r = await call('POST', '/api/v1/verification/embeddings/verify', { source: emb['img1.jpg'], targets: [emb['img8.jpg'], emb['img2.jpg']] });
    expect(r.status).toBe(200);
    expect(r.body.result.map((x: Json) => x.embedding)).toEqual([emb['img8.jpg'], emb['img2.jpg']]);
    expect(r.body.result[0].similarity).toBeLessThan(0.5);
    expect(r.body.result[1].similarity).toBeGreaterThan(0.5);
    const byImage = await call('POST', '/api/v1/verification/verify', { source_image: file('img1.jpg').file, target_image: file('img2.jpg').file });
    expect(Math.abs(byImage.body.result[0].face_matches[0].similarity - r.body.result[1].similarity)).toBeLessThanOrEqual(2e-4);
    // The stored face was enrolled from img1: comparing img1's own embedding with it is ~1.
    const self = await call('POST', `/api/v1/recognition/embeddings/faces/${imageId}/verify`, { embeddings: [emb['img1.jpg']] });
    expect(self.body.result[0].similarity).toBeGreaterThan(0.999);
  });

  it('refuses bad embeddings with 400 { message, code } naming the argument', async () => {
    const good = emb['img2.jpg']!;
    const stored = `/api/v1/recognition/embeddings/faces/${imageId}/verify`;
    const pair = '/api/v1/verification/embeddings/verify';
    const cases: [string, unknown, number, RegExp][] = [
      [stored, { embeddings: [[1, 2, 3]] }, 400, /^embeddings\[0\]: expected 128 numbers \(this server's model\), got 3$/],
      [stored, { embeddings: [good, good.slice(1)] }, 400, /^embeddings\[1\]: expected 128 numbers/],
      [stored, { embeddings: [Array(128).fill(0)] }, 400, /^embeddings\[0\]: expected a finite non-zero vector$/],
      [stored, `{"embeddings": [[1e999${',0'.repeat(127)}]]}`, 400, /embeddings\/0\/0 must be number/],  // Infinity
      [stored, { embeddings: [['x', ...good.slice(1)]] }, 400, /embeddings\/0\/0 must be number/],
      [stored, { embeddings: [] }, 400, /embeddings must NOT have fewer than 1 items/],
      [stored, { embeddings: Array(257).fill(good) }, 400, /embeddings must NOT have more than 256 items/],
      [stored, { vectors: [good] }, 400, /must have required property 'embeddings'/],
      [stored, 'not json', 400, /^JSON body/],
      [pair, { source: good.slice(0, 5), targets: [good] }, 400, /^source: expected 128 numbers \(this server's model\), got 5$/],
      [pair, { source: good, targets: [good, Array(128).fill(0)] }, 400, /^targets\[1\]: expected a finite non-zero vector$/],
      [pair, { source: good }, 400, /must have required property 'targets'/],
      [pair, { source: { x: 1 }, targets: [good] }, 400, /source must be array/],
      ['/api/v1/recognition/embeddings/faces/no-such-face/verify', { embeddings: [good] }, 404, /^image_id: no face no-such-face in this collection$/],
      ['/api/v1/recognition/embeddings/faces/..%2Fetc/verify', { embeddings: [good] }, 400, /image_id must match pattern/],
    ];
    for (const [path, body, status, message] of cases) {
      const r = await call('POST', path, body);
      expect([path, r.status, r.body.code]).toEqual([path, status, status === 404 ? 3 : 1]);
      expect(r.body.message).toMatch(message);
    }
    for (const path of [stored, pair]) expect((await call('POST', path, { embeddings: [good] }, null)).status).toBe(401);
  });

  it('adds the pose plugin in CompreFace\'s shape and ignores plugins it does not offer', async () => {
    const r = await call('POST', '/api/v1/recognition/recognize?face_plugins=landmarks,calculator,age,gender,pose,mask', file('img2.jpg'));
    expect(r.status).toBe(200);
    const face = r.body.result[0];
    expect(Object.keys(face).sort()).toEqual(['box', 'embedding', 'landmarks', 'pose', 'subjects']);
    expect(face.pose).toEqual({ pitch: expect.any(Number), roll: expect.any(Number), yaw: expect.any(Number) });
    for (const v of Object.values(face.pose) as number[]) expect(Math.abs(v)).toBeLessThan(45);  // a near-frontal portrait
    expect(r.body.plugins_versions).toEqual({ detector: expect.any(String), calculator: expect.any(String), pose: expect.any(String) });
    // A mirrored photo turns the face the other way and tilts it the other way. img11 is turned
    // and tilted (~20 and ~14 degrees); the detector's landmarks are not mirror-exact (a few degrees).
    const sharp = (await import('sharp')).default;
    const turned = fs.readFileSync(photo('img11.jpg'));
    const [a, b] = await Promise.all([turned, await sharp(turned).rotate().flop().jpeg().toBuffer()].map(async (bytes) =>
      (await call('POST', '/api/v1/detection/detect?face_plugins=POSE', { file: bytes.toString('base64') })).body.result[0].pose));
    expect(Math.abs(a.yaw)).toBeGreaterThan(10);
    expect(Math.abs(a.roll)).toBeGreaterThan(8);
    expect(Math.sign(b.yaw)).toBe(-Math.sign(a.yaw));
    expect(Math.sign(b.roll)).toBe(-Math.sign(a.roll));
    // Without the plugin, no pose.
    const plain = await call('POST', '/api/v1/detection/detect?face_plugins=age,gender', file('img2.jpg'));
    expect(Object.keys(plain.body.result[0]).sort()).toEqual(['box', 'landmarks']);
  });

  it('answers /faces/{image_id}/img with 501 for a known face (no images kept) and 404 for an unknown one', async () => {
    const known = await call('GET', `/api/v1/recognition/faces/${imageId}/img`);
    expect(known.status).toBe(501);
    expect(known.body).toEqual({ message: `image_id: facecore keeps each face's embedding, not its image; there is no image of ${imageId} to download`, code: 6 });
    const unknown = await call('GET', '/api/v1/recognition/faces/no-such-face/img');
    expect([unknown.status, unknown.body]).toEqual([404, { message: 'image_id: no face no-such-face in this collection', code: 3 }]);
    expect((await call('GET', `/api/v1/recognition/faces/${imageId}/img`, undefined, null)).status).toBe(401);
  });

  it('answers 504 for an analysis over the inference timeout and 503 + Retry-After for one never started, then drains', async () => {
    const tight = await startServer({ limits: { inferenceTimeoutMs: 1, concurrency: 1, queued: 8 } });
    try {
      const body = JSON.stringify(file('img2.jpg'));
      const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(`${tight.url}/api/v1/detection/detect`, {
        method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body,
      }).then(async (res) => ({ status: res.status, retry: res.headers.get('retry-after'), body: await res.json() as Json }))));
      const timedOut = answers.filter((a) => a.status === 504);
      const busy = answers.filter((a) => a.status === 503);
      expect(timedOut.length + busy.length, JSON.stringify(answers)).toBe(4);
      expect(timedOut.length).toBeGreaterThanOrEqual(1);
      for (const a of timedOut) expect(a.body).toEqual({ message: 'inference ran over 1 ms; try a smaller image or later', code: 8 });
      for (const a of busy) expect([a.retry, a.body]).toEqual(['1', { message: 'server busy: inference did not start within 1 ms', code: 5 }]);
      // The overrun keeps its slot until it really ends; then the queue is empty again.
      const depth = async () => Number(/facecore_inference_queue_depth (\d+)/.exec(await (await fetch(`${tight.url}/metrics`)).text())![1]);
      for (let i = 0; i < 200 && (await depth()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await depth()).toBe(0);
    } finally {
      await tight.close();
    }
  }, 60_000);
});
