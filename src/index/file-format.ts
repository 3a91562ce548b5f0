// The main index file (format in docs/index-format.md): a 128-byte header, then three
// sections (table: JSON ids/labels/meta; vectors: the stored rows; scales: int8 row scales),
// each 64-byte aligned and guarded by its own CRC-32, all little-endian.
import { crc32 } from 'node:zlib';
import { CorruptIndexError } from './errors.js';

export type Storage = 'f32' | 'f16' | 'i8';
export const STORAGES: readonly Storage[] = ['f32', 'f16', 'i8'];
export const MAGIC = Buffer.from('FACEIDX\0', 'latin1');
export const VERSION = 1;
export const HEADER_BYTES = 128;
const ALIGN = 64;

export function bytesPerValue(storage: Storage): number {
  return storage === 'f32' ? 4 : storage === 'f16' ? 2 : 1;
}

/** Everything a file holds; `vectors` is the raw bytes of count x dim stored values. */
export interface IndexImage {
  dim: number;
  storage: Storage;
  metric: 'cosine' | 'dot';
  generation: number;
  ids: string[];
  labels: string[];
  meta: (Record<string, unknown> | null)[] | null;
  vectors: Uint8Array;
  scales: Uint8Array;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** The file's bytes, as a list of buffers to write in order (no copy of the vectors). */
export function encodeIndex(img: IndexImage): Buffer[] {
  const count = img.ids.length;
  const table = Buffer.from(JSON.stringify({ ids: img.ids, labels: img.labels, meta: img.meta }), 'utf8');
  const tableOff = HEADER_BYTES;
  const vecOff = align(tableOff + table.length);
  const scaleOff = align(vecOff + img.vectors.length);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(img.dim, 12);
  header.writeUInt8(STORAGES.indexOf(img.storage), 16);
  header.writeUInt8(img.metric === 'dot' ? 0 : 1, 17);
  header.writeUInt32LE(count, 20);
  header.writeBigUInt64LE(BigInt(img.generation), 24);
  const sections: [number, Uint8Array][] = [[tableOff, table], [vecOff, img.vectors], [scaleOff, img.scales]];
  sections.forEach(([off, bytes], i) => {
    header.writeBigUInt64LE(BigInt(off), 32 + i * 24);
    header.writeBigUInt64LE(BigInt(bytes.length), 40 + i * 24);
    header.writeUInt32LE(crc32(bytes), 48 + i * 24);
  });
  header.writeUInt32LE(crc32(header.subarray(0, 124)), 124);
  const pad = (from: number, to: number) => Buffer.alloc(to - from);
  return [
    header, table, pad(tableOff + table.length, vecOff), Buffer.from(img.vectors.buffer, img.vectors.byteOffset, img.vectors.length),
    pad(vecOff + img.vectors.length, scaleOff), Buffer.from(img.scales.buffer, img.scales.byteOffset, img.scales.length),
  ];
}

/** Parses and checks a whole file; every failure is a CorruptIndexError naming the section. */
export function decodeIndex(file: string, buf: Buffer): IndexImage {
  const fail = (section: string, detail: string): never => {
    throw new CorruptIndexError(file, section, detail);
  };
  if (buf.length < HEADER_BYTES) fail('header', `truncated: ${buf.length} bytes, the header alone is ${HEADER_BYTES}`);
  if (!buf.subarray(0, 8).equals(MAGIC)) fail('header', 'bad magic (not a facecore index file)');
  if (buf.readUInt32LE(124) !== crc32(buf.subarray(0, 124))) fail('header', 'checksum mismatch');
  const version = buf.readUInt32LE(8);
  if (version !== VERSION) fail('header', `unsupported version ${version} (this build reads ${VERSION})`);
  const dim = buf.readUInt32LE(12), storageCode = buf.readUInt8(16), metricCode = buf.readUInt8(17);
  const count = buf.readUInt32LE(20);
  if (dim < 1 || dim > 65536 || storageCode > 2 || metricCode > 1) fail('header', 'dim, storage or metric out of range');
  const storage = STORAGES[storageCode];
  const section = (i: number, name: string, want: number) => {
    const off = Number(buf.readBigUInt64LE(32 + i * 24)), len = Number(buf.readBigUInt64LE(40 + i * 24));
    if (want >= 0 && len !== want) fail(name, `length ${len}, expected ${want} for ${count} rows`);
    if (off < HEADER_BYTES || off + len > buf.length) {
      fail(name, `truncated: needs bytes [${off}, ${off + len}), the file has ${buf.length}`);
    }
    const bytes = buf.subarray(off, off + len);
    if (crc32(bytes) !== buf.readUInt32LE(48 + i * 24)) fail(name, 'checksum mismatch');
    return { off, bytes };
  };
  const table = section(0, 'table', -1);
  const vectors = section(1, 'vectors', count * dim * bytesPerValue(storage));
  const scales = section(2, 'scales', storage === 'i8' ? count * 4 : 0);
  if (buf.length !== scales.off + scales.bytes.length) {
    fail('scales', `file length ${buf.length}, expected ${scales.off + scales.bytes.length} (trailing bytes)`);
  }
  const zeros = (name: string, from: number, to: number) => {
    for (let i = from; i < to; i++) if (buf[i] !== 0) fail(name, `non-zero padding byte at offset ${i}`);
  };
  zeros('table', table.off + table.bytes.length, vectors.off);
  zeros('vectors', vectors.off + vectors.bytes.length, scales.off);
  let parsed: { ids?: unknown; labels?: unknown; meta?: unknown };
  try {
    parsed = JSON.parse(table.bytes.toString('utf8'));
  } catch (e) {
    return fail('table', `invalid JSON (${(e as Error).message})`);
  }
  const { ids, labels, meta } = parsed;
  const stringsOf = (v: unknown) => Array.isArray(v) && v.length === count && v.every((s) => typeof s === 'string');
  if (!stringsOf(ids) || !stringsOf(labels)) fail('table', `expected ${count} ids and labels`);
  if (meta !== null && !(Array.isArray(meta) && meta.length === count)) fail('table', `expected ${count} meta entries or null`);
  return {
    dim, storage, metric: metricCode === 0 ? 'dot' : 'cosine', generation: Number(buf.readBigUInt64LE(24)),
    ids: ids as string[], labels: labels as string[], meta: meta as IndexImage['meta'],
    vectors: vectors.bytes, scales: scales.bytes,
  };
}
