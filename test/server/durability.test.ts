// `facecore serve` as a process: a 2xx enrolment is durable (the server killed -9 right after
// the answer still has the face on restart), and SIGTERM drains a request in flight, then exits 0.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild } from '../helpers/child-build.js';
import { serveChild, type ServeChild } from '../helpers/serve-child.js';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo } from './fixture.js';

let tree = '';
const children: ChildProcess[] = [];
beforeAll(() => {
  tree = buildForChild();
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tree, { recursive: true, force: true });
});

/** Starts the server; resolves with its URL once pino logs the listening address. */
async function serve(dataDir: string): Promise<ServeChild> {
  const served = await serveChild(tree, ['--data', dataDir], { FACECORE_API_KEYS: KEY });
  children.push(served.child);
  return served;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
const upload = (url: string, route: string, file: string) => fetch(url + route, {
  method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ file: fs.readFileSync(photo(file)).toString('base64') }),
});

describe.skipIf(!hasShared)('facecore serve process', () => {
  it('keeps a face answered 2xx through kill -9, and drains on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-durable-'));
    const first = await serve(dataDir);
    const added = await upload(first.url, '/api/v1/recognition/faces?subject=angelina', 'img1.jpg');
    expect(added.status).toBe(201);
    const { image_id } = await added.json();
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The data directory holds files named by the key's hash, never the key.
    expect(fs.readdirSync(dataDir).some((f) => f.includes(KEY))).toBe(false);

    const second = await serve(dataDir);
    const list = await (await fetch(`${second.url}/api/v1/recognition/faces`, { headers: { 'x-api-key': KEY } })).json();
    expect(list.faces).toEqual([{ image_id, subject: 'angelina' }]);

    // SIGTERM while a recognition is in flight: it is answered, then the process exits 0.
    const inFlight = upload(second.url, '/api/v1/recognition/recognize', 'img2.jpg');
    await new Promise((r) => setTimeout(r, 50));
    const code = exited(second.child);
    second.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((await res.json()).result[0].subjects[0].subject).toBe('angelina');
    expect(await code).toBe(0);
    expect(second.log()).toMatch(/shutting down/);
    // Logs are pino JSON lines with request ids.
    expect(second.log()).toMatch(/"reqId":"[0-9a-f-]{36}"/);
  }, 120_000);
});
