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
import { createWal, readWal, WAL_HEADER_BYTES, WalWriter, frame, type Durability } from './wal.js';

export type { Durability };

type Replay = (payload: Buffer) => void;

/** Rows of room to reserve beyond a file's rows when it is mapped: adds need no copy until then. */
const growRows = (rows: number) => Math.max(rows, 1 << 16);

export class DurableStore {
  private constructor(
    readonly file: string,
    readonly walFile: string,
    private generation: number,
    private writer: WalWriter,
    private readonly releaseLock: () => void,
    private readonly durability: Durability,
  ) {}

  /**
   * Locks, loads (or creates) the main file, hands it to `load` and replays the log through
   * the function `load` returns.
   */
  static async open(
    file: string, durability: Durability, load: (img: IndexImage) => Replay,
    create: () => { dim: number; storage: Storage; metric: 'cosine' | 'dot' },
  ): Promise<DurableStore> {
    const durable = durability === 'fsync';
    const walFile = `${file}-wal`;
    const release = acquireLock(file);
    try {
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
      if (fs.existsSync(walFile)) {
        const wal = readWal(walFile, await readWholeFile(walFile));
        if (wal.generation > img.generation) {
          throw new CorruptIndexError(walFile, 'wal header', `generation ${wal.generation} is newer than ${file}'s ${img.generation}`);
        }
        if (wal.generation === img.generation) {
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
      return new DurableStore(file, walFile, img.generation, writer, release, durability);
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
