// Durable FaceIndex on real files: reopen, log replay, compaction, torn log tails, stale
// logs after an interrupted compaction, the writer lock, and group commit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaceIndex, type Storage } from '../../src/gallery/face-index.js';
import { IndexLockedError } from '../../src/gallery/errors.js';
import { randomRows } from '../helpers/random.js';
import { buildForChild } from '../helpers/child-build.js';
import { tempDir } from './tmpdir.js';

const dim = 24;
const contents = (index: FaceIndex) => [...index.entries()].map((e) => ({ ...e, vector: Array.from(e.vector) }));

describe('durable FaceIndex', () => {
  for (const storage of ['f32', 'f16', 'i8'] as Storage[]) {
    it(`${storage}: what was acknowledged is there after reopen, from the log and after compaction`, async () => {
      const file = path.join(tempDir(), 'faces.fidx');
      const index = await FaceIndex.open(file, { dim, storage, metric: 'cosine' });
      expect(index.path).toBe(file);
      await index.add(['a', 'b', 'c'], randomRows(3, dim, 1), { labels: ['p', 'q', 'p'], meta: [{ n: 1 }, undefined, { s: 'x' }] });
      await index.remove(['b']);
      await index.add(['d'], randomRows(1, dim, 2));
      const want = contents(index);
      const q = randomRows(2, dim, 3);
      const hits = await index.search(q, 3);
      await index.close();

      const again = await FaceIndex.open(file);  // replays the log
      expect([again.dim, again.storage, again.metric]).toEqual([dim, storage, 'cosine']);
      expect(contents(again).sort((x, y) => x.id.localeCompare(y.id))).toEqual(want.sort((x, y) => x.id.localeCompare(y.id)));
      await again.compact();
      expect(fs.statSync(`${file}-wal`).size).toBe(32);
      await again.add(['e'], randomRows(1, dim, 4));
      await again.close();

      const third = await FaceIndex.open(file, { storage });
      expect(third.size).toBe(4);
      expect(contents(third).filter((e) => e.id !== 'e')).toEqual(contents(again).filter((e) => e.id !== 'e'));
      expect(await third.search(q, 3, { filter: { excludeIds: ['e'] } })).toEqual(hits);
      await third.close();
    });
  }

  it('discards a torn log tail, keeps every record before it, and appends after it', async () => {
    const file = path.join(tempDir(), 'torn.fidx');
    const index = await FaceIndex.open(file, { dim });
    await index.add(['a'], randomRows(1, dim, 1));
    await index.add(['b'], randomRows(1, dim, 2));
    await index.close();
    const wal = `${file}-wal`;
    const full = fs.readFileSync(wal);
    for (const cut of [1, 8, 20]) {  // mid-length, mid-checksum, mid-payload of the last record
      fs.writeFileSync(wal, full.subarray(0, full.length - cut));
      const torn = await FaceIndex.open(file);
      expect([...torn.entries()].map((e) => e.id)).toEqual(['a']);
      await torn.close();
    }
    fs.writeFileSync(wal, Buffer.concat([full, Buffer.from('garbage that is not a record')]));
    const extra = await FaceIndex.open(file);
    expect([...extra.entries()].map((e) => e.id)).toEqual(['a', 'b']);
    await extra.add(['c'], randomRows(1, dim, 3));
    await extra.close();
    const after = await FaceIndex.open(file);
    expect([...after.entries()].map((e) => e.id)).toEqual(['a', 'b', 'c']);
    await after.close();
  });

  it('ignores a log that an interrupted compaction already folded into the main file', async () => {
    const file = path.join(tempDir(), 'folded.fidx');
    const index = await FaceIndex.open(file, { dim });
    await index.add(['a', 'b'], randomRows(2, dim, 1));
    const oldLog = fs.readFileSync(`${file}-wal`);
    await index.compact();
    await index.close();
    fs.writeFileSync(`${file}-wal`, oldLog);  // as if the crash came between the rename and the new log
    const again = await FaceIndex.open(file);
    expect([...again.entries()].map((e) => e.id)).toEqual(['a', 'b']);
    await again.add(['c'], randomRows(1, dim, 2));
    await again.close();
    const third = await FaceIndex.open(file);
    expect(third.size).toBe(3);
    await third.close();
  });

  it('lets one writer in: a second open (here or in another process) gets a clear error', async () => {
    const file = path.join(tempDir(), 'locked.fidx');
    const index = await FaceIndex.open(file, { dim });
    await expect(FaceIndex.open(file)).rejects.toThrow(IndexLockedError);
    await expect(FaceIndex.open(file)).rejects.toThrow(`open for writing by process ${process.pid}`);
    const root = buildForChild();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import(${JSON.stringify(path.join(root, 'src/gallery/face-index.js'))}).then(({ FaceIndex }) => FaceIndex.open(${JSON.stringify(file)}))` +
      `.then(() => console.log('opened'), (e) => console.log(e.name + ': ' + e.message))`], { encoding: 'utf8' });
    fs.rmSync(root, { recursive: true, force: true });
    expect(child.stdout.trim()).toBe(`IndexLockedError: ${file}: the index is open for writing by process ${process.pid} (lock ${file}.lock); close it there first`);
    await index.close();
    const again = await FaceIndex.open(file);
    await again.close();
    fs.writeFileSync(`${file}.lock`, '999999999\n');  // left by a process that is gone
    const stale = await FaceIndex.open(file);
    await stale.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('checks options against an existing file, and needs dim to create one', async () => {
    const dir = tempDir();
    await expect(FaceIndex.open(path.join(dir, 'new.fidx'))).rejects.toThrow(/options.dim: expected an integer to create/);
    await expect(FaceIndex.open(path.join(dir, 'x.fidx'), { dim: 4, durability: 'sometimes' as never })).rejects.toThrow(RangeError);
    const file = path.join(dir, 'opts.fidx');
    await (await FaceIndex.open(file, { dim: 4, storage: 'f16' })).close();
    await expect(FaceIndex.open(file, { dim: 5 })).rejects.toThrow(/options.dim: .* has dim 4, got 5/);
    await expect(FaceIndex.open(file, { storage: 'i8' })).rejects.toThrow(/has storage f16, got i8/);
    const ok = await FaceIndex.open(file, { dim: 4 });  // the failed opens released the lock
    await ok.close();
    await expect(ok.add(['a'], new Float32Array(4))).rejects.toThrow(/the index is closed/);
  });

  it('group commit: concurrent adds and removes share fsyncs, and all of them are durable', async () => {
    const file = path.join(tempDir(), 'group.fidx');
    for (const durability of ['fsync', 'none'] as const) {
      fs.rmSync(file, { force: true });
      fs.rmSync(`${file}-wal`, { force: true });
      const index = await FaceIndex.open(file, { dim, durability });
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        ops.push(index.add([`f${i}`], randomRows(1, dim, i)));
        if (i % 4 === 3) ops.push(index.remove([`f${i - 1}`]));
      }
      await Promise.all(ops);
      const stats = index.logStats!;
      expect(stats.records).toBe(250);
      expect(stats.commits).toBeLessThan(stats.records / 5);
      await index.close();
      const again = await FaceIndex.open(file);
      expect(again.size).toBe(150);
      expect(again.has('f2') || again.has('f6')).toBe(false);
      await again.close();
    }
  });
});
