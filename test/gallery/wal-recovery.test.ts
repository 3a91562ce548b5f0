// Issue #13.2/4/8: what opening does with a damaged log. A torn tail (a partial record, or the
// zeros a crash on ext4/XFS leaves where the file grew but the data never landed) is cut and
// reported in `index.recovery`; damage with intact records after it is refused unless
// { repair: true }; no damaged byte anywhere makes open crash or return a non-prefix of the log.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptIndexError } from '../../src/gallery/errors.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { WAL_HEADER_BYTES } from '../../src/gallery/wal.js';
import { randomRows } from '../helpers/random.js';
import { tempDir } from './tmpdir.js';

const dim = 4;

/** An index whose log holds one add record per id (nothing compacted); returns the file and record ends. */
async function loggedIndex(ids: string[]): Promise<{ file: string; wal: string; ends: number[] }> {
  const file = path.join(tempDir(), 'w.fidx');
  const wal = `${file}-wal`;
  const index = await FaceIndex.open(file, { dim });
  const ends: number[] = [];
  for (const [i, id] of ids.entries()) {
    await index.add([id], randomRows(1, dim, i + 1));
    ends.push(fs.statSync(wal).size);
  }
  await index.close();
  return { file, wal, ends };
}

async function idsAfterOpen(file: string, options?: { repair: boolean }) {
  const index = await FaceIndex.open(file, options);
  try {
    return { ids: [...index.entries()].map((e) => e.id), recovery: index.recovery };
  } finally {
    await index.close();
  }
}

describe('log recovery', () => {
  it('a clean log reports nothing dropped', async () => {
    const { file, ends } = await loggedIndex(['a', 'b']);
    expect(await idsAfterOpen(file)).toEqual({
      ids: ['a', 'b'], recovery: { droppedBytes: 0, droppedRecords: 0, intactAfterDamage: 0, offset: ends[1] },
    });
  });

  it.each([3, 8, 4096])('a zero-filled tail of %i bytes reads as the end of the log, and appends go after the last record', async (zeros) => {
    const { file, wal, ends } = await loggedIndex(['a', 'b']);
    fs.appendFileSync(wal, Buffer.alloc(zeros));
    expect(await idsAfterOpen(file)).toEqual({
      ids: ['a', 'b'], recovery: { droppedBytes: zeros, droppedRecords: 0, intactAfterDamage: 0, offset: ends[1] },
    });
    const index = await FaceIndex.open(file);
    await index.add(['c'], randomRows(1, dim, 9));
    await index.close();
    expect(fs.statSync(wal).size).toBe(ends[1] + (ends[1] - ends[0]));
    expect((await idsAfterOpen(file)).ids).toEqual(['a', 'b', 'c']);
  });

  it('a record of length 0 (CRC-32C 0) followed by zeros is a torn tail, not a corrupt record', async () => {
    const { file, wal } = await loggedIndex(['a']);
    fs.appendFileSync(wal, Buffer.alloc(8 + 100));
    expect((await idsAfterOpen(file)).ids).toEqual(['a']);
  });

  it('a flipped bit in the last record drops that record and reports it', async () => {
    const { file, wal, ends } = await loggedIndex(['a', 'b', 'c']);
    const log = fs.readFileSync(wal);
    log[ends[1] + 20] ^= 0x10;
    fs.writeFileSync(wal, log);
    expect(await idsAfterOpen(file)).toEqual({
      ids: ['a', 'b'], recovery: { droppedBytes: ends[2] - ends[1], droppedRecords: 1, intactAfterDamage: 0, offset: ends[1] },
    });
  });

  it('a flipped bit in a record with intact records after it is refused unless repair is asked for', async () => {
    const { file, wal, ends } = await loggedIndex(['a', 'b', 'c', 'd']);
    const log = fs.readFileSync(wal);
    log[ends[0] + 30] ^= 0x01;  // inside record 1 ('b'); 'c' and 'd' are intact
    fs.writeFileSync(wal, log);
    const err = await FaceIndex.open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptIndexError);
    expect((err as Error).message).toBe(`${wal}: wal record 1 section is corrupt: damaged at byte ${ends[0]} with 2 intact record(s) after it ` +
      `(not a torn tail); open with { repair: true } to drop it and everything after it (${ends[3] - ends[0]} bytes)`);
    expect(fs.readFileSync(wal).equals(log)).toBe(true);  // refused: nothing cut
    expect(await idsAfterOpen(file, { repair: true })).toEqual({
      ids: ['a'], recovery: { droppedBytes: ends[3] - ends[0], droppedRecords: 3, intactAfterDamage: 2, offset: ends[0] },
    });
    expect((await idsAfterOpen(file)).recovery?.droppedBytes).toBe(0);  // the repair was written
  });

  it('no flipped byte anywhere in the records crashes open or yields anything but a prefix of the log', async () => {
    const ids = ['a', 'b', 'c'];
    const { file, wal, ends } = await loggedIndex(ids);
    const good = fs.readFileSync(wal);
    for (let at = WAL_HEADER_BYTES; at < good.length; at++) {
      const log = Buffer.from(good);
      log[at] ^= 0xff;
      fs.writeFileSync(wal, log);
      const damaged = ends.findIndex((end) => at < end);
      const got = await idsAfterOpen(file).catch((e: unknown) => e);
      if (got instanceof CorruptIndexError) {
        expect(damaged, `byte ${at}`).toBeLessThan(ids.length - 1);  // only with records after it
        expect(got.message, `byte ${at}`).toMatch(/repair: true/);
        continue;
      }
      const { ids: kept, recovery } = got as Awaited<ReturnType<typeof idsAfterOpen>>;
      expect(kept, `byte ${at}`).toEqual(ids.slice(0, damaged));
      expect(recovery!.droppedBytes, `byte ${at}`).toBe(good.length - (damaged === 0 ? WAL_HEADER_BYTES : ends[damaged - 1]));
    }
  });

  it('an index or log path that is a directory is an error naming it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'd.fidx');
    fs.mkdirSync(file);
    await expect(FaceIndex.open(file)).rejects.toThrow(`${file}: expected an index file, got a directory`);
    fs.rmdirSync(file);
    fs.mkdirSync(`${file}-wal`);
    await expect(FaceIndex.open(file, { dim })).rejects.toThrow(`${file}-wal: expected an index file, got a directory`);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);  // the lock was let go
  });

  it('rejects a repair option that is not a boolean', async () => {
    const { file } = await loggedIndex(['a']);
    await expect(FaceIndex.open(file, { repair: 'yes' as unknown as boolean })).rejects.toThrow(/options.repair: expected a boolean, got 'yes'/);
  });
});
