// The MarginHead file (docs/margin.md): 'FCMH', u32 version, u32 header length, a JSON header
// padded to 4 bytes, float32 blocks (weights, then optimizer state), u32 CRC-32 of all before it.
// Little-endian. Written to a temporary file, fsynced, renamed over the target, and the
// directory fsynced: a crash leaves either the old file or the new one, never a torn one.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export const MAGIC = 'FCMH';
export const VERSION = 1;
const CHUNK = 1 << 26; // bytes per write/read call

export interface HeadFile {
  header: Record<string, unknown>;
  /** weights, then the optimizer state blocks, each of `blockLength` floats. */
  blocks: Float32Array[];
}

function checkEndianness(): void {
  if (os.endianness() !== 'LE') throw new RangeError('MarginHead files are little-endian; this machine is big-endian');
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function preamble(header: Record<string, unknown>): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = (json.length + 3) & ~3;
  const out = Buffer.alloc(12 + padded, 0x20); // JSON padded with spaces
  out.write(MAGIC, 0, 'ascii');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(padded, 8);
  json.copy(out, 12);
  return out;
}

export async function writeHeadFile(file: string, content: HeadFile): Promise<void> {
  checkEndianness();
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.open(temp, 'w');
  try {
    let crc = 0;
    const put = async (bytes: Uint8Array) => {
      for (let off = 0; off < bytes.length; off += CHUNK) {
        const chunk = bytes.subarray(off, Math.min(bytes.length, off + CHUNK));
        crc = zlib.crc32(chunk, crc);
        await fh.write(chunk);
      }
    };
    await put(preamble(content.header));
    for (const block of content.blocks) await put(bytesOf(block));
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc >>> 0, 0);
    await fh.write(trailer);
    await fh.sync();
  } catch (error) {
    await fh.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fh.close();
  await fs.rename(temp, file);
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Reads the file; `blockLengths(header)` says how many floats each block holds. */
export async function readHeadFile(file: string, blockLengths: (header: Record<string, unknown>) => number[]): Promise<HeadFile> {
  checkEndianness();
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const bad = (why: string) => new RangeError(`${file}: not a valid MarginHead file (${why})`);
    if (size < 16) throw bad(`${size} bytes`);
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString('ascii', 0, 4) !== MAGIC) throw bad('bad magic');
    const version = head.readUInt32LE(4);
    if (version !== VERSION) throw bad(`version ${version}, expected ${VERSION}`);
    const jsonLength = head.readUInt32LE(8);
    if (jsonLength > size - 16) throw bad('header longer than the file');
    const json = Buffer.alloc(jsonLength);
    await fh.read(json, 0, jsonLength, 12);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw bad('header is not JSON');
    }
    const lengths = blockLengths(header);
    const expected = 12 + jsonLength + lengths.reduce((a, n) => a + 4 * n, 0) + 4;
    if (size !== expected) throw bad(`${size} bytes, expected ${expected}`);
    let crc = zlib.crc32(head);
    crc = zlib.crc32(json, crc);
    let pos = 12 + jsonLength;
    const blocks: Float32Array[] = [];
    for (const n of lengths) {
      const block = new Float32Array(n);
      const bytes = bytesOf(block);
      for (let off = 0; off < bytes.length; off += CHUNK) {
        const len = Math.min(CHUNK, bytes.length - off);
        const { bytesRead } = await fh.read(bytes, off, len, pos);
        if (bytesRead !== len) throw bad('short read');
        crc = zlib.crc32(bytes.subarray(off, off + len), crc);
        pos += len;
      }
      blocks.push(block);
    }
    const trailer = Buffer.alloc(4);
    await fh.read(trailer, 0, 4, pos);
    if (trailer.readUInt32LE(0) !== crc >>> 0) throw bad('checksum mismatch');
    return { header, blocks };
  } finally {
    await fh.close();
  }
}
