// The on-disk side of a durable FaceIndex: the main file (file-format.ts), its write-ahead
// log (`<file>-wal`, wal.ts) and the writer lock (`<file>.lock`, lock.ts).
//
// Generations tie the two files together: the log extends the main file of the same
// generation. Compaction writes main file g+1 (atomically), then a fresh log g+1; a crash
// between the two leaves log g beside main g+1, which is recognised as already folded in.
import fs from 'node:fs';
import { readWholeFile, writeFileAtomic } from './atomic-file.js';
import { CorruptIndexError } from './errors.js';
import type { Storage } from '../core/codes.js';
import { encodeIndex, readIndex, type ImageToWrite, type IndexImage } from './file-format.js';
import { acquireLock } from './lock.js';
import { createWal, readWal, WAL_HEADER_BYTES, WalWriter, frame, type Durability, type WalRecovery } from './wal.js';

export type { Durability, WalRecovery };

type Replay = (payload: Buffer) => void;

/** Rows of room to reserve beyond a file's rows when it is mapped: adds need no copy until then. */
const growRows = (rows: number) => Math.max(rows, 1 << 16);

function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export class DurableStore {
  private constructor(
    readonly file: string,
    readonly walFile: string,
    private generation: number,
    private writer: WalWriter,
    private readonly releaseLock: () => void,
    private readonly durability: Durability,
    /** What opening cut off the log (zeros when it was clean). */
    readonly recovery: WalRecovery,
  ) {}

  /**
   * Locks, loads (or creates) the main file, hands it to `load` and replays the log through
   * the function `load` returns. A torn log tail is cut (and reported in `recovery`); damage
   * with intact records after it is refused unless `repair` is set, since those records were
   * most likely acknowledged (fsynced) writes.
   */
  static async open(
    file: string, durability: Durability, load: (img: IndexImage) => Replay,
    create: () => { dim: number; storage: Storage; metric: 'cosine' | 'dot' },
    repair = false,
  ): Promise<DurableStore> {
    const durable = durability === 'fsync';
    const walFile = `${file}-wal`;
    const release = acquireLock(file);
    try {
      for (const f of [file, walFile]) if (isDirectory(f)) throw new Error(`${f}: expected an index file, got a directory`);
      let img: IndexImage;
      if (fs.existsSync(file)) {
        img = await readIndex(file, growRows);
      } else {
        img = { ...create(), generation: 0, ids: [], labels: null, meta: null, vectors: new Uint8Array(0), scales: new Uint8Array(0), capacity: 0 };
        await writeFileAtomic(file, await encodeIndex(img), durable);
        fs.rmSync(walFile, { force: true });  // a log without its main file belongs to nothing
      }
      const replay = load(img);
      let validEnd = WAL_HEADER_BYTES;
      let recovery: WalRecovery = { droppedBytes: 0, droppedRecords: 0, intactAfterDamage: 0, offset: WAL_HEADER_BYTES };
      if (fs.existsSync(walFile)) {
        const wal = readWal(walFile, await readWholeFile(walFile));
        if (wal.generation > img.generation) {
          throw new CorruptIndexError(walFile, 'wal header', `generation ${wal.generation} is newer than ${file}'s ${img.generation}`);
        }
        if (wal.generation === img.generation) {
          const r = wal.recovery;
          if (r.intactAfterDamage > 0 && !repair) {
            throw new CorruptIndexError(walFile, `wal record ${wal.records.length}`,
              `damaged at byte ${r.offset} with ${r.intactAfterDamage} intact record(s) after it (not a torn tail); ` +
              `open with { repair: true } to drop it and everything after it (${r.droppedBytes} bytes)`);
          }
          recovery = r;
          wal.records.forEach((payload, i) => {
            try {
              replay(payload);
            } catch (e) {
              throw new CorruptIndexError(walFile, `wal record ${i}`, (e as Error).message);
            }
          });
          validEnd = wal.validEnd;
        } else {
          await createWal(walFile, img.generation, durable);  // already folded into the main file
        }
      } else {
        await createWal(walFile, img.generation, durable);
      }
      const writer = await WalWriter.open(walFile, validEnd, durability);
      return new DurableStore(file, walFile, img.generation, writer, release, durability, recovery);
    } catch (e) {
      release();
      throw e;
    }
  }

  get stats(): { records: number; commits: number } {
    return { ...this.writer.stats };
  }

  get failed(): Error | null {
    return this.writer.failed;
  }

  /** Resolves once the record is in the log (fsynced unless durability is 'none'). */
  log(payload: Buffer): Promise<void> {
    return this.writer.append(frame(payload));
  }

  /**
   * Folds the log into a new main file. `snapshot` runs with the log paused, so it sees every
   * change logged or queued so far; `reading` keeps the snapshot's rows from being reused
   * while they are written out.
   */
  async compact(snapshot: () => Omit<ImageToWrite, 'generation'>, reading: (run: () => Promise<void>) => Promise<void>): Promise<void> {
    const durable = this.durability === 'fsync';
    const queued = await this.writer.pause();
    try {
      const img: ImageToWrite = { ...snapshot(), generation: this.generation + 1 };
      await reading(async () => {
        await writeFileAtomic(this.file, await encodeIndex(img), durable);
        await createWal(this.walFile, img.generation, durable);
        await this.writer.switchTo(this.walFile, WAL_HEADER_BYTES);
      });
      this.generation = img.generation;
      for (const w of queued.waiters) w.resolve();  // their changes are in the new main file
    } catch (e) {
      this.writer.requeue(queued);
      throw e;
    } finally {
      this.writer.resume();
    }
  }

  async close(): Promise<void> {
    try {
      await this.writer.close();
    } finally {
      this.releaseLock();
    }
  }
}
