// The write-ahead log beside the main file: a 32-byte header (magic, version, the generation
// of the main file it extends) and records [u32 length][u32 CRC-32C of payload][payload].
// A crash mid-append leaves a torn tail (a partial record, or zeros where the file system
// extended the file but never wrote the data), which fails its length or checksum check:
// replay stops there and the tail is cut off before anything new is appended. Damage with
// intact records after it is not a crash's tail: DurableStore refuses it unless asked to repair.
//
// Group commit: records appended while a write+fsync is in flight wait and share the next one.
import fs from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
import { CorruptIndexError } from './errors.js';
import { crc32c } from './file-format.js';

const MAGIC = Buffer.from('FACEWAL\0', 'latin1');
const VERSION = 2;  // 2: CRC-32C (1 used zlib's CRC-32)
export const WAL_HEADER_BYTES = 32;

export type Durability = 'fsync' | 'none';

export function walHeader(generation: number): Buffer {
  const h = Buffer.alloc(WAL_HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32LE(VERSION, 8);
  h.writeBigUInt64LE(BigInt(generation), 16);
  h.writeUInt32LE(crc32c(h.subarray(0, 28)), 28);
  return h;
}

/** Frames one payload as a log record: [length, CRC-32C] and the payload itself (not copied). */
export function frame(payload: Buffer): Buffer[] {
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32c(payload), 4);
  return [head, payload];
}

/** `parts` without their first `skip` bytes (after a partial write). */
function dropBytes(parts: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}

/** What opening a log cut off, and why (all zero for a clean log). */
export interface WalRecovery {
  /** Bytes after the last intact record that were left out (and are cut before the next append). */
  droppedBytes: number;
  /** Records left out: the damaged one (unless the tail is only zeros) and every intact one after it. */
  droppedRecords: number;
  /** Intact records found after the damage: more than 0 means damage inside the log, not a torn tail. */
  intactAfterDamage: number;
  /** Byte offset of the first damaged record (the file's length when there is none). */
  offset: number;
}

export interface WalContents {
  generation: number;
  records: Buffer[];
  /** Bytes of header + intact records: where the next append goes. */
  validEnd: number;
  recovery: WalRecovery;
}

/** The end of the intact record at `off`, or -1 (past the end, damaged, or of length 0). */
function recordEnd(buf: Buffer, off: number): number {
  if (off + 8 > buf.length) return -1;
  const len = buf.readUInt32LE(off);
  // Length 0 is never written (every payload has a type byte) but its CRC (0) would match:
  // a zero-filled tail, left by a crash on ext4/XFS, must read as the end of the log.
  if (len === 0 || len > buf.length - off - 8) return -1;
  return crc32c(buf.subarray(off + 8, off + 8 + len)) === buf.readUInt32LE(off + 4) ? off + 8 + len : -1;
}

/** Intact records chained after a damaged record at `off` whose length field is still plausible. */
function intactAfter(buf: Buffer, off: number): number {
  if (off + 8 > buf.length) return 0;
  const len = buf.readUInt32LE(off);
  if (len === 0 || len > buf.length - off - 8) return 0;
  let n = 0;
  for (let at = off + 8 + len, end; (end = recordEnd(buf, at)) >= 0; at = end) n++;
  return n;
}

/**
 * Parses a log; a damaged header is an error. Records are read up to the first one that fails
 * its checks; `recovery` says what was left out, and whether intact records followed (damage
 * inside the log rather than a torn tail: the caller decides whether to accept the loss).
 */
export function readWal(file: string, buf: Buffer): WalContents {
  if (buf.length < WAL_HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC) || buf.readUInt32LE(28) !== crc32c(buf.subarray(0, 28))) {
    throw new CorruptIndexError(file, 'wal header', buf.length < WAL_HEADER_BYTES ? `truncated: ${buf.length} bytes` : 'bad magic or checksum');
  }
  if (buf.readUInt32LE(8) !== VERSION) throw new CorruptIndexError(file, 'wal header', `unsupported version ${buf.readUInt32LE(8)}`);
  const records: Buffer[] = [];
  let off = WAL_HEADER_BYTES;
  for (let end; (end = recordEnd(buf, off)) >= 0; off = end) records.push(buf.subarray(off + 8, end));
  const intact = intactAfter(buf, off);
  const zeroTail = buf.subarray(off).every((b) => b === 0);
  const recovery: WalRecovery = {
    droppedBytes: buf.length - off,
    droppedRecords: (zeroTail ? 0 : 1) + intact,
    intactAfterDamage: intact,
    offset: off,
  };
  return { generation: Number(buf.readBigUInt64LE(16)), records, validEnd: off, recovery };
}

export async function createWal(file: string, generation: number, durable: boolean): Promise<void> {
  await writeFileAtomic(file, [walHeader(generation)], durable);
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Appends framed records; each append's Promise settles once its record is written (and fsynced). */
export class WalWriter {
  /** Queued records, as their parts (frame heads and payloads). */
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private paused = false;
  private failure: Error | null = null;
  /** Records written and the write(+fsync) calls that carried them: group commit makes commits < records. */
  readonly stats = { records: 0, commits: 0 };

  private constructor(private handle: fs.FileHandle, private position: number, readonly durability: Durability) {}

  /** Opens a log for appending at `validEnd`, cutting off any torn tail first. */
  static async open(file: string, validEnd: number, durability: Durability): Promise<WalWriter> {
    const handle = await fs.open(file, 'r+');
    const { size } = await handle.stat();
    if (size !== validEnd) {
      await handle.truncate(validEnd);
      if (durability === 'fsync') await handle.sync();
    }
    return new WalWriter(handle, validEnd, durability);
  }

  get failed(): Error | null {
    return this.failure;
  }

  append(record: Buffer[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push(...record);
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing || this.paused || this.pending.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let every append made in this tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0 && !this.paused) {
      // One gathered write of every queued record (no copy into one buffer).
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const total = batch.reduce((sum, b) => sum + b.length, 0);
        let done = 0;
        while (done < total) {
          done += (await this.handle.writev(done === 0 ? batch : dropBytes(batch, done), this.position + done)).bytesWritten;
        }
        if (this.durability === 'fsync') await this.handle.datasync();
        this.position += total;
        this.stats.records += waiters.length;
        this.stats.commits++;
        for (const w of waiters) w.resolve();
      } catch (e) {
        // Nothing after a failed write can be trusted to follow it in the log.
        this.failure = e as Error;
        for (const w of [...waiters, ...this.waiters]) w.reject(this.failure);
        this.pending = [];
        this.waiters = [];
        return;
      }
    }
  }

  /** Stops writing (after the batch in flight) and hands back what was still queued. */
  async pause(): Promise<{ records: Buffer[]; waiters: Waiter[] }> {
    this.paused = true;
    while (this.flushing) await this.flushing;
    const taken = { records: this.pending, waiters: this.waiters };
    this.pending = [];
    this.waiters = [];
    return taken;
  }

  /** Puts records back at the front of the queue (a compaction that failed). */
  requeue(taken: { records: Buffer[]; waiters: Waiter[] }): void {
    this.pending = [...taken.records, ...this.pending];
    this.waiters = [...taken.waiters, ...this.waiters];
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  /** Moves appends to another (freshly created) log file. */
  async switchTo(file: string, position: number): Promise<void> {
    const next = await fs.open(file, 'r+');
    await this.handle.close();
    this.handle = next;
    this.position = position;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
