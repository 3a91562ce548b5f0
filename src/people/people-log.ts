// Durable record of person assignments and corrections, crash-safe under kill -9: a snapshot
// (written atomically) plus an append-only JSON-lines log of what changed since. The log's
// first line names the snapshot generation it extends; a log from another generation (a
// crash between writing a new snapshot and starting its log) is already in the snapshot
// and is ignored. A torn last line (crash mid-append) is dropped.
import fs from 'node:fs/promises';
import { fsyncDir, readWholeFile, writeFileAtomic } from '../gallery/atomic-file.js';
import path from 'node:path';

/** One change. a: automatic assignments; l: user lock; r: rejection; m: merge; d: faces removed. */
export type PeopleRecord =
  | { a: [string, string | null][] }
  | { l: string; p: string | null }
  | { r: string; p: string }
  | { m: [string, string] }
  | { d: string[] };

export interface PeopleSnapshot {
  gen: number;
  /** Next person number (person ids are `p<number>`). */
  next: number;
  assign: Record<string, string | null>;
  locks: Record<string, string | null>;
  rejects: Record<string, string[]>;
  /** Retired person -> the person it was merged into. */
  aliases: Record<string, string>;
}

export const emptySnapshot = (): PeopleSnapshot => ({ gen: 0, next: 1, assign: {}, locks: {}, rejects: {}, aliases: {} });

export class PeopleLog {
  #handle: fs.FileHandle;
  readonly #snapshotFile: string;
  readonly #logFile: string;
  readonly #durable: boolean;

  private constructor(handle: fs.FileHandle, snapshotFile: string, logFile: string, durable: boolean) {
    this.#handle = handle;
    this.#snapshotFile = snapshotFile;
    this.#logFile = logFile;
    this.#durable = durable;
  }

  /** Opens (or creates) the pair of files next to `base`; returns the snapshot and the records after it. */
  static async open(base: string, durable: boolean): Promise<{ log: PeopleLog; snapshot: PeopleSnapshot; records: PeopleRecord[] }> {
    const snapshotFile = `${base}.people.json`, logFile = `${base}.people.log`;
    let snapshot = emptySnapshot();
    try {
      snapshot = JSON.parse((await readWholeFile(snapshotFile)).toString('utf8')) as PeopleSnapshot;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let records: PeopleRecord[] = [];
    let keep = -1; // bytes of the log to keep; -1 = start a fresh log
    try {
      const text = (await readWholeFile(logFile)).toString('utf8');
      const lines = text.split('\n');
      const head = parseLine(lines[0]) as { gen?: number } | undefined;
      if (head?.gen === snapshot.gen) {
        keep = Buffer.byteLength(lines[0]) + 1;
        for (const line of lines.slice(1)) {
          const rec = parseLine(line);
          if (rec === undefined) break; // torn tail
          records.push(rec as PeopleRecord);
          keep += Buffer.byteLength(line) + 1;
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      records = [];
    }
    if (keep < 0) await writeFileAtomic(logFile, [Buffer.from(JSON.stringify({ gen: snapshot.gen }) + '\n')], durable);
    const handle = await fs.open(logFile, 'r+');
    if (keep >= 0) await handle.truncate(keep);
    return { log: new PeopleLog(handle, snapshotFile, logFile, durable), snapshot, records };
  }

  /** Appends records; durable (fsync) before it resolves. */
  async append(records: PeopleRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { size } = await this.#handle.stat();
    const buf = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));
    await this.#handle.write(buf, 0, buf.length, size);
    if (this.#durable) await this.#handle.datasync();
  }

  /** Replaces snapshot + log with `snapshot` (generation bumped) and an empty log. */
  async rewrite(snapshot: PeopleSnapshot): Promise<void> {
    snapshot.gen += 1;
    await writeFileAtomic(this.#snapshotFile, [Buffer.from(JSON.stringify(snapshot))], this.#durable);
    await this.#handle.close();
    await writeFileAtomic(this.#logFile, [Buffer.from(JSON.stringify({ gen: snapshot.gen }) + '\n')], this.#durable);
    this.#handle = await fs.open(this.#logFile, 'r+');
    if (this.#durable) await fsyncDir(path.dirname(this.#logFile));
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

function parseLine(line: string | undefined): object | undefined {
  if (!line || !line.endsWith('}')) return undefined;
  try {
    return JSON.parse(line) as object;
  } catch {
    return undefined;
  }
}
