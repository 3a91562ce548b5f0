// Hostile input: over a thousand malformed requests (random bytes, bad JSON, wrong content
// types, bad base64, truncated multipart, huge headers, traversal ids, giant numbers, malformed
// shard searches) must get 4xx answers (or a closed connection), never a 5xx or a crash; the
// server answers right after.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo, startServer, type Running } from './fixture.js';

// A deterministic generator (the failures must reproduce).
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

/** Sends raw bytes and returns the response's status (0 when the server closed without one). */
function raw(port: number, bytes: Buffer | string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on('error', () => resolve(0));
    socket.on('close', () => resolve(0));
    socket.end(bytes);
  });
}

const PATHS = [
  '/api/v1/recognition/recognize', '/api/v1/recognition/faces', '/api/v1/detection/detect', '/api/v1/verification/verify',
  '/api/v1/recognition/embeddings/recognize', '/api/v1/recognition/subjects', '/api/v1/recognition/faces/delete', '/predict',
  '/api/v1/recognition/faces/..%2F..%2Fetc%2Fpasswd/verify', '/api/v1/recognition/faces/../../../etc/passwd',
  '/api/v1/recognition/subjects/%00', '/api/v1/recognition/subjects/..%2F..%2Fx', `/api/v1/recognition/faces/${'a'.repeat(5000)}`,
  '/api/v1/recognition/embeddings/faces/abc/verify', '/api/v1/verification/embeddings/verify', '/api/v1/recognition/faces/..%2Fx/img',
  '/internal/v1/search',
];
const QUERIES = ['', '?limit=1e308', '?limit=-1', '?det_prob_threshold=NaN', '?det_prob_threshold=2', '?prediction_count=99999999999999999999',
  '?page=-5&size=0', '?subject=', '?subject=%00', '?face_plugins=' + 'x'.repeat(1000), '?status=maybe', '?subject=a&subject=b', '?limit[]=1'];
const TYPES = ['application/json', 'multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/octet-stream', 'text/plain', 'image/jpeg', 'application/x-www-form-urlencoded', ''];

function bodyFor(r: () => number, jpeg: Buffer): string | Buffer {
  const pick = Math.floor(r() * 14);
  const randomBytes = Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256)));
  switch (pick) {
    case 0: return randomBytes;
    case 1: return '{"file": ';
    case 2: return '['.repeat(5000) + ']'.repeat(5000);
    case 3: return JSON.stringify({ file: 12345 });
    case 4: return JSON.stringify({ file: '!!!not base64***' });
    case 5: return JSON.stringify({ file: randomBytes.toString('base64') });
    case 6: return JSON.stringify({ file: jpeg.subarray(0, Math.floor(jpeg.length * r())).toString('base64') });  // truncated JPEG
    case 7: return JSON.stringify({ embeddings: [[1e308, -1e308, 'x']] });
    case 8: return JSON.stringify(r() < 0.5 ? { embeddings: [Array(128).fill(0)] } : { source: Array(128).fill(1e-300), targets: [[NaN]] });
    case 9: return `--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${jpeg.subarray(0, 300).toString('latin1')}`;  // truncated multipart
    case 10: return `--xyz\r\nContent-Disposition: form-data; name="entries"\r\n\r\n{"facial-recognition":{"detection":{"options":{"minScore":"high"}}}}\r\n--xyz--\r\n`;
    case 11: return JSON.stringify({ vectors: randomBytes.toString('base64'), k: Math.floor(r() * 2000) - 500, labels: r() < 0.5 });  // a router's body, wrong sizes
    case 12: return JSON.stringify({ vectors: Buffer.from(new Float32Array(128).fill(r() < 0.5 ? Number.NaN : 1e38).buffer).toString('base64'), embeddings: r() < 0.5 ? [[1]] : undefined, k: 3 });
    default: return JSON.stringify({ subject: 'x'.repeat(Math.floor(r() * 400)), source_image: 'AAAA', target_image: null });
  }
}

describe.skipIf(!hasShared)('hostile input', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ limits: { bodyBytes: 4 << 20 } });
  }, 120_000);
  afterAll(async () => server?.close());

  it('answers 1200 malformed requests without a 5xx and still works after', async () => {
    const r = rng(15);
    const jpeg = fs.readFileSync(photo('img1.jpg'));
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const jobs: (() => Promise<void>)[] = [];
    for (let i = 0; i < 1000; i++) {
      jobs.push(async () => {
        const path = PATHS[Math.floor(r() * PATHS.length)]! + QUERIES[Math.floor(r() * QUERIES.length)]!;
        const type = TYPES[Math.floor(r() * TYPES.length)]!;
        const method = ['POST', 'POST', 'PUT', 'DELETE', 'GET', 'PATCH'][Math.floor(r() * 6)]!;
        const headers: Record<string, string> = r() < 0.85 ? { 'x-api-key': KEY } : { 'x-api-key': 'x'.repeat(Math.floor(r() * 100)) };
        if (type) headers['content-type'] = type;
        const body = method === 'GET' ? undefined : bodyFor(r, jpeg);
        try {
          const res = await fetch(server.url + path, { method, headers, body: typeof body === 'string' ? body : body && new Uint8Array(body) });
          await res.arrayBuffer();
          count(res.status);
        } catch {
          count(0);  // connection closed by the server: not a 5xx
        }
      });
    }
    // Malformed HTTP itself: huge headers, bad request lines, lying lengths, a huge body.
    for (let i = 0; i < 200; i++) {
      const kind = i % 5;
      const req = kind === 0 ? `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`
        : kind === 1 ? `\u0000\u0001GARBAGE ${'%'.repeat(i)} HTTP/9\r\n\r\n`
        : kind === 2 ? `POST /api/v1/recognition/recognize HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}`
        : kind === 3 ? `POST /api/v1/recognition/recognize HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n${'{'.repeat(2000)}`
        : `POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=b\r\n\r\nzz\r\nnot-hex\r\n`;
      jobs.push(async () => {
        count(await raw(server.port, req));
      });
    }
    // Shuffled, 16 at a time.
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
    }
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }));
    const fivexx = [...statuses].filter(([s]) => s >= 500);
    expect(fivexx, JSON.stringify(Object.fromEntries(statuses))).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1200);

    const ok = await fetch(`${server.url}/api/v1/detection/detect`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ file: jpeg.toString('base64') }) });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await ok.json()).result).toHaveLength(1);
  }, 300_000);
});
