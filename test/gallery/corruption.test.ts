// A saved index damaged at every section boundary (truncated there, or a byte flipped on
// either side of it) must fail to open with a CorruptIndexError naming the file and the
// section — never a crash, never a silently wrong index.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptIndexError } from '../../src/gallery/errors.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { encodeIndex, HEADER_BYTES } from '../../src/gallery/file-format.js';
import { randomRows } from '../helpers/random.js';
import { tempDir } from './tmpdir.js';

async function savedIndex(dir: string): Promise<string> {
  const file = path.join(dir, 'saved.fidx');
  const index = await FaceIndex.open(file, { dim: 20, storage: 'i8' });
  await index.add(['a', 'b', 'c'], randomRows(3, 20, 1), { labels: ['p', 'q', 'p'], meta: [{ cam: 1 }, null, null] });
  await index.compact();
  await index.close();
  return file;
}

/** [offset, length] of the header and each section, from the header itself. */
function sections(buf: Buffer): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = { header: [0, HEADER_BYTES] };
  ['table', 'vectors', 'scales'].forEach((name, i) => {
    out[name] = [Number(buf.readBigUInt64LE(32 + i * 24)), Number(buf.readBigUInt64LE(40 + i * 24))];
  });
  return out;
}

async function openError(file: string): Promise<unknown> {
  fs.rmSync(`${file}-wal`, { force: true });
  return FaceIndex.open(file).then(async (index) => {
    await index.close();
    return null;
  }, (e: unknown) => e);
}

describe('corrupt or truncated index files', () => {
  it('truncation at every section boundary names the section that is cut', async () => {
    const dir = tempDir();
    const file = await savedIndex(dir);
    const good = fs.readFileSync(file);
    const secs = sections(good);
    const cuts: [number, RegExp][] = [[0, /header/], [HEADER_BYTES - 1, /header/], [HEADER_BYTES, /table/]];
    for (const name of ['table', 'vectors', 'scales']) {
      const [off, len] = secs[name];
      cuts.push([off, new RegExp(name)], [off + 1, new RegExp(name)], [off + len - 1, new RegExp(name)]);
    }
    cuts.push([good.length - 1, /scales/]);
    for (const [cut, section] of cuts) {
      fs.writeFileSync(file, good.subarray(0, cut));
      const err = await openError(file);
      expect(err, `cut at ${cut}`).toBeInstanceOf(CorruptIndexError);
      expect((err as CorruptIndexError).file).toBe(file);
      expect((err as Error).message, `cut at ${cut}`).toMatch(section);
      expect((err as Error).message).toContain(file);
    }
    fs.writeFileSync(file, Buffer.concat([good, Buffer.from([0])]));
    expect(await openError(file)).toBeInstanceOf(CorruptIndexError);
    fs.writeFileSync(file, good);
    expect(await openError(file)).toBeNull();
  });

  it('a flipped byte on either side of every boundary names its section', async () => {
    const dir = tempDir();
    const file = await savedIndex(dir);
    const good = fs.readFileSync(file);
    const secs = sections(good);
    const flips: [number, string][] = [[0, 'header'], [HEADER_BYTES - 1, 'header']];
    for (const name of ['table', 'vectors', 'scales']) {
      const [off, len] = secs[name];
      flips.push([off, name], [off + len - 1, name]);
    }
    flips.push([secs.table[0] + secs.table[1], 'table']);  // padding after the table
    for (const [at, section] of flips) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x5a;
      fs.writeFileSync(file, bad);
      const err = await openError(file);
      expect(err, `flip at ${at}`).toBeInstanceOf(CorruptIndexError);
      expect((err as CorruptIndexError).section, `flip at ${at}`).toBe(section);
    }
  });

  it('a well-formed file whose table repeats an id is refused, naming the row', async () => {
    const file = path.join(tempDir(), 'dup.fidx');
    const img = {
      dim: 2, storage: 'f32' as const, metric: 'dot' as const, generation: 0, ids: ['a', 'b', 'a'], labels: null, meta: null,
      vectors: new Uint8Array(24), scales: new Uint8Array(0),
    };
    fs.writeFileSync(file, Buffer.concat(await encodeIndex(img)));
    const err = await openError(file);
    expect(err).toBeInstanceOf(CorruptIndexError);
    expect((err as Error).message).toMatch(/table section is corrupt: duplicate id at row 2/);
  });

  it('a damaged or truncated log header is an error naming the log file', async () => {
    const dir = tempDir();
    const file = await savedIndex(dir);
    const wal = `${file}-wal`;
    const index = await FaceIndex.open(file);
    await index.close();
    const log = fs.readFileSync(wal);
    log[3] ^= 1;
    fs.writeFileSync(wal, log);
    const err = await FaceIndex.open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptIndexError);
    expect((err as Error).message).toBe(`${wal}: wal header section is corrupt: bad magic or checksum`);
    fs.writeFileSync(wal, log.subarray(0, 10));
    expect(((await FaceIndex.open(file).catch((e: unknown) => e)) as Error).message).toMatch(/wal header section is corrupt: truncated/);
  });
});
