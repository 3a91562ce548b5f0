// Opening maps the file's vector section copy-on-write (native.mapFileRows) with reserved
// room to grow; these tests check that the mapped store behaves exactly like one read into
// memory: slot reuse writes into mapped pages, adds past the file's rows use the reserve,
// and none of it reaches the file on disk until a compaction writes a new one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaceIndex, type Storage } from '../../src/gallery/face-index.js';
import { crc32c } from '../../src/gallery/file-format.js';
import { native } from '../../src/native.js';
import { randomRows } from '../helpers/random.js';
import { tempDir } from './tmpdir.js';

const dim = 40;
const contents = (index: FaceIndex) =>
  [...index.entries()].map((e) => ({ ...e, vector: Array.from(e.vector) })).sort((a, b) => a.id.localeCompare(b.id));
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

afterEach(() => {
  delete process.env.FACECORE_NO_MMAP;
});

async function saved(storage: Storage, n: number, labels?: string[]): Promise<string> {
  const file = path.join(tempDir(), 'm.fidx');
  const index = await FaceIndex.open(file, { dim, storage });
  await index.add(Array.from({ length: n }, (_, i) => `f${i}`), randomRows(n, dim, 7), labels ? { labels } : undefined);
  await index.compact();
  await index.close();
  return file;
}

describe('CRC-32C', () => {
  it('gives the standard check value, extends across calls, and agrees sync/async', async () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const big = crypto.randomBytes(300_001);
    const whole = crc32c(big);
    expect(native.crc32c(big.subarray(123_457), native.crc32c(big.subarray(0, 123_457), 0))).toBe(whole);
    const out = new Uint32Array(1);
    await native.crc32cAsync(big, 0, out);
    expect(out[0]).toBe(whole);
    expect(() => native.crc32c('x' as never, 0)).toThrow(TypeError);
  });
});

describe('native.mapFileRows', () => {
  it('maps a page-aligned range copy-on-write with zeroed reserve, and checks its arguments', () => {
    const file = path.join(tempDir(), 'raw.bin');
    const bytes = crypto.randomBytes(3 * 4096 + 100);
    fs.writeFileSync(file, bytes);
    const ab = native.mapFileRows(file, 4096, 2 * 4096 + 100, 65536)!;
    expect(ab.byteLength).toBe(65536);
    const view = new Uint8Array(ab);
    expect(Buffer.from(view.subarray(0, 2 * 4096 + 100)).equals(bytes.subarray(4096))).toBe(true);
    expect(view.subarray(2 * 4096 + 100).every((b) => b === 0)).toBe(true);
    view.fill(7);  // private: the file keeps its bytes
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(native.mapFileRows(file, 100, 10, 4096)).toBeNull();  // not page-aligned: the caller reads instead
    expect(() => native.mapFileRows(file, 4096, 4 * 4096, 65536)).toThrow(/expected at least 20480 bytes, the file has 12388/);
    expect(() => native.mapFileRows(file, 0, 8192, 4096)).toThrow(RangeError);
    expect(() => native.mapFileRows(path.join(path.dirname(file), 'missing'), 0, 1, 4096)).toThrow(/cannot open/);
    expect(() => native.reserveRows(2 ** 33)).toThrow(RangeError);
    expect(native.reserveRows(1 << 20)!.byteLength).toBe(1 << 20);
  });
});

describe('mapped index files', () => {
  for (const storage of ['f32', 'f16', 'i8'] as Storage[]) {
    it(`${storage}: a mapped open equals a read open, through removes, slot reuse and growth`, async () => {
      const file = await saved(storage, 300, Array.from({ length: 300 }, (_, i) => `p${i % 17}`));
      const before = sha(file);
      const q = randomRows(3, dim, 8);
      const results = [];
      for (const noMmap of [false, true]) {
        if (noMmap) process.env.FACECORE_NO_MMAP = '1';
        else delete process.env.FACECORE_NO_MMAP;
        const index = await FaceIndex.open(file, { durability: 'none' });
        const opened = contents(index);
        await index.remove(['f3', 'f150']);
        await index.add(['r1', 'r2'], randomRows(2, dim, 9), { labels: ['p1', 'new'] });  // into freed slots
        await index.add(Array.from({ length: 500 }, (_, i) => `g${i}`), randomRows(500, dim, 10));  // past the file's rows
        results.push({
          opened, after: contents(index), hits: await index.search(q, 7),
          idents: await index.searchLabels(q, 5, { aggregate: 'mean' }),
        });
        await index.close();
        fs.rmSync(`${file}-wal`);  // back to the saved file alone for the other mode
        expect(sha(file)).toBe(before);  // the private mapping never wrote to the file
      }
      expect(results[0]).toEqual(results[1]);
      expect(results[0].after.find((e) => e.id === 'r2')?.label).toBe('new');
    });
  }

  it('labels equal to the ids are stored as null and still work as identities after reopen', async () => {
    const file = await saved('f16', 50);
    const bytes = fs.readFileSync(file);
    const jsonLength = bytes.readUInt32LE(128);
    expect(JSON.parse(bytes.toString('utf8', 132, 132 + jsonLength)).labels).toBeNull();
    const index = await FaceIndex.open(file);
    const q = randomRows(1, dim, 7);  // the generator's first row: face f0
    expect((await index.searchLabels(q, 1))[0][0].label).toBe('f0');
    await index.add(['x'], randomRows(1, dim, 7), { labels: ['f0'] });  // a second face of identity f0
    expect(index.get('x')?.label).toBe('f0');
    expect((await index.searchLabels(q, 2, { aggregate: 'mean' }))[0][0].label).toBe('f0');
    await index.remove(['f0', 'x']);
    expect((await index.searchLabels(q, 50)).flat().some((h) => h.label === 'f0')).toBe(false);
    await index.close();
  });

  it('non-ASCII ids survive a reopen and are found by the natively built id table', async () => {
    const file = path.join(tempDir(), 'u.fidx');
    const ids = ['é', '😀', 'a b', '日本語', 'x\u00a0y', 'Ω-1', ...Array.from({ length: 200 }, (_, i) => `p${i}`)];
    const index = await FaceIndex.open(file, { dim, storage: 'f32' });
    await index.add(ids, randomRows(ids.length, dim, 3));
    await expect(index.add(['bad\0id'], randomRows(1, dim, 4))).rejects.toThrow(/ids\[0\]: expected a string without NUL/);
    await expect(index.add(['\ud800'], randomRows(1, dim, 4))).rejects.toThrow(RangeError);
    await index.compact();
    await index.close();
    const again = await FaceIndex.open(file);
    for (const id of ids) expect(again.has(id), id).toBe(true);
    expect(again.has('e')).toBe(false);
    expect(again.get('😀')?.id).toBe('😀');
    expect(await again.remove(['日本語', 'p7'])).toBe(2);
    await again.add(['日本語'], randomRows(1, dim, 5));
    expect(again.size).toBe(ids.length - 1);
    await again.close();
  });
});
