// The main index file (format in docs/index-format.md): a 128-byte header, then three
// sections (table: the ids as NUL-terminated UTF-8 after a JSON {labels, meta}; vectors: the
// stored rows; scales: int8 row scales),
// each guarded by its own CRC-32C, all little-endian. The vector section starts on a 4 KiB
// boundary so it can be mapped as the rows' memory instead of read into fresh memory.
import fs from 'node:fs/promises';
import { bytesPerValue, metricCode, metricOf, storageCode, storageOf, type Metric, type Storage } from '../core/codes.js';
import { buildIdTable, crc32c, crc32cAsync, mapFileRows } from '../core/gallery.js';
import { CorruptIndexError } from './errors.js';
import { StringIndex } from './string-index.js';

export { crc32c };
export const MAGIC = Buffer.from('FACEIDX\0', 'latin1');
export const VERSION = 2;
export const HEADER_BYTES = 128;
const ALIGN = 64;
const VECTOR_ALIGN = 4096;
/** Node 20's largest ArrayBuffer: the most a mapping can hold. */
const MAX_MAP_BYTES = 2 ** 32;

/** Everything a file holds; `vectors` is the raw bytes of count x dim stored values. */
export interface IndexImage {
  dim: number;
  storage: Storage;
  metric: Metric;
  generation: number;
  ids: string[];
  /** Each face's identity; null when every label is the face's own id (stored as null). */
  labels: string[] | null;
  meta: (Record<string, unknown> | null)[] | null;
  vectors: Uint8Array;
  scales: Uint8Array;
  /** The id -> row table (StringIndex layout), built natively from the file's id block. */
  idTable?: Int32Array;
  /** Rows `vectors.buffer` has room for from `vectors.byteOffset` (a mapping reserves more than the file holds). */
  capacity: number;
}

export type ImageToWrite = Omit<IndexImage, 'capacity' | 'idTable'>;

const align = (n: number, to = ALIGN) => Math.ceil(n / to) * to;

/** The file's bytes, as a list of buffers to write in order (no copy of the vectors). */
export async function encodeIndex(img: ImageToWrite): Promise<Buffer[]> {
  const count = img.ids.length;
  const sameLabels = img.labels === null || img.labels.every((l, i) => l === img.ids[i]);
  // [u32 JSON length][JSON {labels, meta}][each id as UTF-8 + NUL]: the id block is split and
  // indexed natively at open, 4-5x faster than parsing the ids out of JSON.
  const json = Buffer.from(JSON.stringify({ labels: sameLabels ? null : img.labels, meta: img.meta }), 'utf8');
  const idBlock = Buffer.from(img.ids.length > 0 ? `${img.ids.join('\0')}\0` : '', 'utf8');
  const table = Buffer.concat([Buffer.alloc(4), json, idBlock]);
  table.writeUInt32LE(json.length, 0);
  const tableOff = HEADER_BYTES;
  const vecOff = align(tableOff + table.length, VECTOR_ALIGN);
  const scaleOff = align(vecOff + img.vectors.length);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(img.dim, 12);
  header.writeUInt8(storageCode(img.storage), 16);
  header.writeUInt8(metricCode(img.metric), 17);
  header.writeUInt32LE(count, 20);
  header.writeBigUInt64LE(BigInt(img.generation), 24);
  const sections: [number, Uint8Array][] = [[tableOff, table], [vecOff, img.vectors], [scaleOff, img.scales]];
  for (const [i, [off, bytes]] of sections.entries()) {
    header.writeBigUInt64LE(BigInt(off), 32 + i * 24);
    header.writeBigUInt64LE(BigInt(bytes.length), 40 + i * 24);
    header.writeUInt32LE(i === 1 ? await crc32cAsync(bytes) : crc32c(bytes), 48 + i * 24);
  }
  header.writeUInt32LE(crc32c(header.subarray(0, 124)), 124);
  const pad = (from: number, to: number) => Buffer.alloc(to - from);
  return [
    header, table, pad(tableOff + table.length, vecOff), Buffer.from(img.vectors.buffer, img.vectors.byteOffset, img.vectors.length),
    pad(vecOff + img.vectors.length, scaleOff), Buffer.from(img.scales.buffer, img.scales.byteOffset, img.scales.length),
  ];
}

async function readAt(handle: fs.FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, Math.min(length - done, 1 << 30), offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/**
 * Reads and checks a whole file; every failure is a CorruptIndexError naming the section.
 * The vector section is mapped where the platform allows (reserving room to grow by
 * `growRows` rows), else read.
 */
export async function readIndex(file: string, growRows: (rows: number) => number): Promise<IndexImage> {
  const fail: (section: string, detail: string) => never = (section, detail) => {
    throw new CorruptIndexError(file, section, detail);
  };
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = await readAt(handle, 0, HEADER_BYTES);
    if (head.length < HEADER_BYTES) fail('header', `truncated: ${size} bytes, the header alone is ${HEADER_BYTES}`);
    if (!head.subarray(0, 8).equals(MAGIC)) fail('header', 'bad magic (not a facecore index file)');
    if (head.readUInt32LE(124) !== crc32c(head.subarray(0, 124))) fail('header', 'checksum mismatch');
    const version = head.readUInt32LE(8);
    if (version !== VERSION) fail('header', `unsupported version ${version} (this build reads ${VERSION})`);
    const dim = head.readUInt32LE(12), storage = storageOf(head.readUInt8(16)), metric = metricOf(head.readUInt8(17));
    const count = head.readUInt32LE(20);
    if (dim < 1 || dim > 65536 || storage === undefined || metric === undefined) fail('header', 'dim, storage or metric out of range');
    const rowBytes = dim * bytesPerValue(storage);
    const section = (i: number, name: string, want: number) => {
      const off = Number(head.readBigUInt64LE(32 + i * 24)), len = Number(head.readBigUInt64LE(40 + i * 24));
      if (want >= 0 && len !== want) fail(name, `length ${len}, expected ${want} for ${count} rows`);
      if (off < HEADER_BYTES || off + len > size) fail(name, `truncated: needs bytes [${off}, ${off + len}), the file has ${size}`);
      return { name, off, len, crc: head.readUInt32LE(48 + i * 24) };
    };
    const table = section(0, 'table', -1);
    const vectors = section(1, 'vectors', count * rowBytes);
    const scales = section(2, 'scales', storage === 'i8' ? count * 4 : 0);
    if (table.off + table.len > vectors.off || vectors.off + vectors.len > scales.off) fail('header', 'sections overlap');
    if (size !== scales.off + scales.len) fail('scales', `file length ${size}, expected ${scales.off + scales.len} (trailing bytes)`);
    const check = (s: typeof table, bytes: Buffer, crc: number): Buffer => {
      if (crc !== s.crc) fail(s.name, 'checksum mismatch');
      return bytes;
    };
    const zeros = (name: string, bytes: Uint8Array, at: number) => {
      const i = bytes.findIndex((b) => b !== 0);
      if (i >= 0) fail(name, `non-zero padding byte at offset ${at + i}`);
    };

    // Table and the padding up to the vectors; vectors; then padding and scales.
    const front = await readAt(handle, table.off, vectors.off - table.off);
    const tableBytes = check(table, front.subarray(0, table.len), crc32c(front.subarray(0, table.len)));
    zeros('table', front.subarray(table.len), table.off + table.len);
    const want = count + growRows(count);
    const reserve = Math.min(MAX_MAP_BYTES - (MAX_MAP_BYTES % Math.max(rowBytes, 1)), Math.max(vectors.len, want * rowBytes, 1));
    const mapped = process.env.FACECORE_NO_MMAP ? null : mapFileRows(file, vectors.off, vectors.len, reserve);
    const vecBytes = mapped ? new Uint8Array(mapped, 0, vectors.len) : await readAt(handle, vectors.off, vectors.len);
    if ((await crc32cAsync(vecBytes)) !== vectors.crc) fail('vectors', 'checksum mismatch');
    const back = await readAt(handle, vectors.off + vectors.len, scales.off + scales.len - (vectors.off + vectors.len));
    zeros('vectors', back.subarray(0, scales.off - (vectors.off + vectors.len)), vectors.off + vectors.len);
    const scaleBytes = back.subarray(scales.off - (vectors.off + vectors.len));
    check(scales, scaleBytes, crc32c(scaleBytes));

    const jsonLength = tableBytes.length >= 4 ? tableBytes.readUInt32LE(0) : -1;
    if (jsonLength < 0 || 4 + jsonLength > tableBytes.length) fail('table', `bad JSON length ${jsonLength}`);
    let parsed: { labels?: unknown; meta?: unknown };
    try {
      parsed = JSON.parse(tableBytes.toString('utf8', 4, 4 + jsonLength));
    } catch (e) {
      return fail('table', `invalid JSON (${(e as Error).message})`);
    }
    const { labels, meta } = parsed;
    const idBytes = tableBytes.subarray(4 + jsonLength);
    const idTable = new Int32Array(StringIndex.capacityFor(count));
    const built = buildIdTable(idBytes, count, idTable);
    if (built < 0) fail('table', `expected ${count} NUL-terminated ids`);
    if (built < count) fail('table', `duplicate id at row ${built}`);
    const ids = count > 0 ? idBytes.toString('utf8', 0, idBytes.length - 1).split('\0') : [];
    const stringsOf = (v: unknown) => Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'string');
    if (!(labels === null || stringsOf(labels))) fail('table', `expected ${count} labels (or null)`);
    if (meta !== null && !(Array.isArray(meta) && meta.length === count)) fail('table', `expected ${count} meta entries or null`);
    return {
      dim, storage, metric, generation: Number(head.readBigUInt64LE(24)),
      ids, labels: labels as string[] | null, meta: meta as IndexImage['meta'],
      vectors: vecBytes, scales: scaleBytes, idTable,
      capacity: mapped ? Math.floor(mapped.byteLength / Math.max(rowBytes, 1)) : count,
    };
  } finally {
    await handle.close();
  }
}
