// The CompreFace REST API as CompreFace's own JavaScript SDK (@exadel/compreface-js-sdk 1.0)
// drives it: add, list, recognize, verify, detect, subjects, delete, against a real server.
import fs from 'node:fs';
import path from 'node:path';
import { CompreFace } from '@exadel/compreface-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, hasPostgres } from '../helpers/postgres.js';
import { hasShared } from '../helpers/shared.js';
import { KEY, OTHER_KEY, photo, startServer, type Running } from './fixture.js';

// The SDK treats a string starting with '.' as a file path (absolute paths it does not accept).
const rel = (name: string) => `./${path.relative(process.cwd(), photo(name))}`;
// The SDK's own types answer `unknown` (and demand every option): the tests read it as JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sdk = any;
const status = (p: Promise<unknown>) => p.then(() => 200, (e: { response?: { status: number } }) => e.response?.status ?? -1);

// The same API over both kinds of collections: files (--data) and PostgreSQL (--store).
const backends: [string, () => Promise<Running>][] = [['files', () => startServer()]];
if (hasPostgres) {
  backends.push(['PostgreSQL', async () => {
    const db = await createTestDatabase();
    const server = await startServer({ store: { url: db.url } });
    return { ...server, close: () => server.close().then(() => db.drop()) };
  }]);
}

describe.skipIf(!hasShared).each(backends)('CompreFace API through @exadel/compreface-js-sdk (%s)', (_name, start) => {
  let server: Running;
  let sdk: Sdk;
  beforeAll(async () => {
    server = await start();
    sdk = new CompreFace('http://127.0.0.1', server.port, {} as never);
  }, 120_000);
  afterAll(async () => server?.close());

  it('adds faces, lists them, recognises and verifies', async () => {
    const recognition = sdk.initFaceRecognitionService(KEY);
    const faces = recognition.getFaceCollection();
    const a = await faces.add(rel('img1.jpg'), 'angelina');
    expect(a).toEqual({ image_id: expect.stringMatching(/^[0-9a-f-]{36}$/), subject: 'angelina' });
    await faces.add(rel('img3.jpg'), 'p03');
    // base64 goes as JSON { file }
    const b64 = fs.readFileSync(photo('img8.jpg')).toString('base64');
    const c = await faces.add(b64, 'p08');
    expect(c.subject).toBe('p08');

    const list = await recognition.getFaceCollection().list();
    expect(list.total_elements).toBe(3);
    expect(list.faces.map((f: { subject: string }) => f.subject).sort()).toEqual(['angelina', 'p03', 'p08']);

    // Another photo of each person is recognised as that person, similarity over 0.5.
    for (const [file, who] of [['img2.jpg', 'angelina'], ['img12.jpg', 'p03'], ['img9.jpg', 'p08']] as const) {
      const r = await recognition.recognize(rel(file), { limit: 0, prediction_count: 2, face_plugins: 'calculator' });
      const best = r.result[0];
      expect(best.subjects[0].subject).toBe(who);
      expect(best.subjects[0].similarity).toBeGreaterThan(0.5);
      expect(best.subjects[0].similarity).toBeLessThanOrEqual(1);
      expect(best.subjects).toHaveLength(2);
      expect(best.subjects[1].similarity).toBeLessThan(best.subjects[0].similarity);
      expect(best.box).toEqual({ probability: expect.any(Number), x_min: expect.any(Number), y_min: expect.any(Number), x_max: expect.any(Number), y_max: expect.any(Number) });
      expect(best.landmarks).toHaveLength(5);
      expect(best.embedding).toHaveLength(128);
      expect(r.plugins_versions).toBeDefined();
    }

    // Verify against one stored face: same person high, another person low.
    const same = await recognition.getFaceCollection().verify(rel('img2.jpg'), a.image_id, {});
    expect(same.result[0].subject).toBe('angelina');
    expect(same.result[0].similarity).toBeGreaterThan(0.5);
    const other = await recognition.getFaceCollection().verify(rel('img9.jpg'), a.image_id, {});
    expect(other.result[0].similarity).toBeLessThan(0.5);

    // Another key is another collection.
    const elsewhere = await sdk.initFaceRecognitionService(OTHER_KEY).getFaceCollection().list();
    expect(elsewhere.total_elements).toBe(0);
  }, 120_000);

  it('verifies two photos and detects faces', async () => {
    const verification = sdk.initFaceVerificationService(KEY);
    const v = await verification.verify(rel('img1.jpg'), rel('img2.jpg'), {});
    expect(v.result[0].source_image_face.box.probability).toBeGreaterThan(0.5);
    expect(v.result[0].face_matches[0].similarity).toBeGreaterThan(0.5);
    const w = await verification.verify(rel('img1.jpg'), rel('img8.jpg'), {});
    expect(w.result[0].face_matches[0].similarity).toBeLessThan(0.5);

    const detection = sdk.initFaceDetectionService(KEY);
    const d = await detection.detect(rel('img1.jpg'), {});
    expect(d.result).toHaveLength(1);
    expect(d.result[0].landmarks).toHaveLength(5);
  }, 120_000);

  it('manages subjects: add, rename, delete, delete all', async () => {
    const subjects = sdk.initFaceRecognitionService(KEY).getSubjects();
    const before = (await subjects.list()).subjects as string[];
    expect(await subjects.add('empty-one')).toEqual({ subject: 'empty-one' });
    expect((await subjects.list()).subjects).toContain('empty-one');
    expect(await sdk.initFaceRecognitionService(KEY).getSubjects().rename('p03', 'person three')).toEqual({ updated: true });
    const afterRename = (await subjects.list()).subjects as string[];
    expect(afterRename).toContain('person three');
    expect(afterRename).not.toContain('p03');
    // the renamed subject's face answers under its new name
    const r = await sdk.initFaceRecognitionService(KEY).recognize(rel('img12.jpg'), { limit: 0 });
    expect(r.result[0].subjects[0].subject).toBe('person three');
    expect(await sdk.initFaceRecognitionService(KEY).getSubjects().delete('empty-one')).toEqual({ subject: 'empty-one' });
    expect(await status(sdk.initFaceRecognitionService(KEY).getSubjects().delete('nobody'))).toBe(404);
    const all = await sdk.initFaceRecognitionService(KEY).getSubjects().deleteAll();
    expect(all.deleted).toBe(before.length);
    expect((await subjects.list()).subjects).toEqual([]);
    expect((await sdk.initFaceRecognitionService(KEY).getFaceCollection().list()).total_elements).toBe(0);
  }, 120_000);

  it('deletes faces by id, by subject and in bulk', async () => {
    const faces = () => sdk.initFaceRecognitionService(KEY).getFaceCollection();
    const ids: string[] = [];
    for (const f of ['img1.jpg', 'img2.jpg', 'img4.jpg']) ids.push((await faces().add(rel(f), 'angelina')).image_id);
    const b = (await faces().add(rel('img8.jpg'), 'p08')).image_id;
    expect(await faces().delete(ids[0])).toEqual({ image_id: ids[0], subject: 'angelina' });
    expect(await status(faces().delete(ids[0]))).toBe(404);
    expect(await faces().delete_multiple_images([ids[1], 'no-such-id'])).toEqual([{ image_id: ids[1], subject: 'angelina' }]);
    expect(await faces().delete_all_subject('angelina')).toEqual({ deleted: 1 });
    expect((await faces().list()).faces).toEqual([{ image_id: b, subject: 'p08' }]);
    // `subject=` (empty) lists and deletes every subject's faces, as in CompreFace.
    const listed = await fetch(`${server.url}/api/v1/recognition/faces?subject=`, { headers: { 'x-api-key': KEY } });
    expect((await listed.json()).total_elements).toBe(1);
    expect(await faces().delete_all()).toEqual({ deleted: 1 });
  }, 120_000);

  it('answers errors in CompreFace shape', async () => {
    const bad = await fetch(`${server.url}/api/v1/recognition/subjects`, { headers: { 'x-api-key': 'wrong-key-123456' } });
    expect([bad.status, await bad.json()]).toEqual([401, { message: 'Invalid API key', code: 2 }]);
    const none = await fetch(`${server.url}/api/v1/recognition/subjects`);
    expect(none.status).toBe(401);
    const grey = Buffer.from(await (await import('sharp')).default({ create: { width: 200, height: 200, channels: 3, background: '#888' } }).png().toBuffer());
    const r = await fetch(`${server.url}/api/v1/recognition/recognize`, {
      method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ file: grey.toString('base64') }),
    });
    expect([r.status, await r.json()]).toEqual([400, { message: 'No face is found in the given image', code: 28 }]);
  });
});
