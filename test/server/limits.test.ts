// Auth on every collection route, and each limit answered with its 4xx (or 503 + Retry-After).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo, startServer, type Running } from './fixture.js';

const json = (body: unknown) => ({ 'content-type': 'application/json', 'x-api-key': KEY, body: JSON.stringify(body) });

describe.skipIf(!hasShared)('auth and limits', () => {
  let server: Running;
  let jpeg: Buffer;
  beforeAll(async () => {
    jpeg = fs.readFileSync(photo('img2.jpg'));
    server = await startServer({ limits: { imagePixels: 4_000_000, bodyBytes: 3 << 20, jsonDepth: 4, concurrency: 1, queued: 1 } });
  }, 120_000);
  afterAll(async () => server?.close());

  const post = (path: string, body: unknown) => {
    const { body: text, ...headers } = json(body);
    return fetch(server.url + path, { method: 'POST', headers, body: text });
  };

  it('refuses every collection route without a key or with a wrong one (401)', async () => {
    const routes: [string, string][] = [
      ['POST', '/api/v1/recognition/faces?subject=a'], ['GET', '/api/v1/recognition/faces'], ['DELETE', '/api/v1/recognition/faces'],
      ['DELETE', '/api/v1/recognition/faces/abc'], ['POST', '/api/v1/recognition/faces/delete'], ['POST', '/api/v1/recognition/faces/abc/verify'],
      ['POST', '/api/v1/recognition/recognize'], ['POST', '/api/v1/recognition/embeddings/recognize'], ['GET', '/api/v1/recognition/subjects'],
      ['POST', '/api/v1/recognition/subjects'], ['PUT', '/api/v1/recognition/subjects/a'], ['DELETE', '/api/v1/recognition/subjects/a'],
      ['DELETE', '/api/v1/recognition/subjects'], ['POST', '/api/v1/detection/detect'], ['POST', '/api/v1/verification/verify'],
      ['POST', '/api/v1/recognition/embeddings/faces/abc/verify'], ['POST', '/api/v1/verification/embeddings/verify'], ['GET', '/api/v1/recognition/faces/abc/img'],
    ];
    for (const [method, path] of routes) {
      for (const headers of [{}, { 'x-api-key': 'not-a-key-at-all' }, { 'x-api-key': KEY.slice(0, -1) }] as Record<string, string>[]) {
        const res = await fetch(server.url + path, { method, headers });
        expect([method, path, res.status]).toEqual([method, path, 401]);
      }
    }
  });

  it('answers 413 over the pixel and body limits, 400 over the JSON depth', async () => {
    const big = await (await import('sharp')).default({ create: { width: 2100, height: 2000, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const px = await post('/api/v1/detection/detect', { file: big.toString('base64') });
    expect(px.status).toBe(413);
    expect((await px.json()).message).toMatch(/at most 4000000 pixels, got 2100x2000/);
    const body = await post('/api/v1/detection/detect', { file: Buffer.alloc(3 << 20).toString('base64') });
    expect(body.status).toBe(413);
    const deep = await post('/api/v1/recognition/embeddings/recognize', { embeddings: [[[[[1]]]]] });
    expect([deep.status, (await deep.json()).message]).toEqual([400, 'JSON body: expected nesting of at most 4 levels, got more']);
    const dims = await post('/api/v1/recognition/embeddings/recognize', { embeddings: [[1, 2, 3]] });
    expect([dims.status, (await dims.json()).message]).toEqual([400, 'embeddings[0]: expected 128 numbers (this server\'s model), got 3']);
  });

  it('refuses work beyond the queue with 503 + Retry-After, and serves the rest', async () => {
    const file = jpeg.toString('base64');
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/api/v1/detection/detect', { file })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const a of answers) if (a.status === 503) expect(a.headers.get('retry-after')).toBe('1');
  }, 60_000);

  it('serves /health, /metrics and /openapi.json', async () => {
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', dim: 128, thresholds: { verify: expect.any(Number), group: expect.any(Number) } });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/facecore_http_requests_total\{method="POST",route="\/api\/v1\/detection\/detect",status="503"\} \d+/);
    expect(metrics).toMatch(/facecore_inference_queue_depth 0/);
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/api/v1/recognition/recognize'].post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'det_prob_threshold', 'prediction_count', 'face_plugins', 'status']));
    expect(doc.paths['/api/v1/recognition/faces/{image_id}'].delete.parameters[0]).toMatchObject({ name: 'image_id', in: 'path' });
  });
});
