// Typed wrappers over the gallery kernels (native/addon/gallery_binding.cc, file_binding.cc):
// the only door src/gallery/ uses to the addon. Encode / decode stored rows, search them
// (faces or identities) off the main thread, build the id table, checksums, row memory.
import { native, type StoredArray } from '../native.js';
import { aggregateCode, metricCode, storageCode, type Aggregate, type Metric, type Storage } from './codes.js';
import { assertInteger, describe } from './validate.js';

export type { StoredArray };

/** A gallery's stored rows: slots [0, n) of `data` (n x dim values), int8 scales, candidate mask. */
export interface StoredRows {
  storage: Storage;
  dim: number;
  n: number;
  data: StoredArray;
  /** int8: one scale per row (empty otherwise). */
  scales: Float32Array;
}

export interface RowSearchOptions {
  metric: Metric;
  /** Hits scoring below it never come back (fewer than k then). */
  minScore?: number;
  /** n flags, 0 = not a candidate; null = every row is. */
  mask: Uint8Array | null;
  threads: number;
}

export interface RowHits {
  /** nq x k row (or label) numbers, best first, -1 past the hits. */
  index: Int32Array;
  /** The matching scores (-Infinity past the hits). */
  scores: Float32Array;
  /** Columns per query. */
  k: number;
}

/** Typed array for n values of a storage. */
export function storedArray(storage: Storage, n: number): StoredArray {
  return storage === 'f32' ? new Float32Array(n) : storage === 'f16' ? new Uint16Array(n) : new Int8Array(n);
}

/** A storage's typed array over `buffer` (n values from offset 0). */
export function storedView(storage: Storage, buffer: ArrayBufferLike, byteOffset: number, n: number): StoredArray {
  return storage === 'f32' ? new Float32Array(buffer, byteOffset, n)
    : storage === 'f16' ? new Uint16Array(buffer, byteOffset, n) : new Int8Array(buffer, byteOffset, n);
}

function encodeArgs(vectors: Float32Array, dim: number, storage: Storage, normalize: boolean, outData: StoredArray, outScales: Float32Array) {
  return { vectors, dim, storage: storageCode(storage), normalize, outData, outScales };
}

/** rows x dim float32 -> stored form (L2-normalised first when `normalize`); RangeError on a non-finite value. */
export function encodeRows(vectors: Float32Array, dim: number, storage: Storage, normalize: boolean,
  outData: StoredArray, outScales: Float32Array): void {
  native.galleryEncode(encodeArgs(vectors, dim, storage, normalize, outData, outScales));
}

/** `encodeRows` on a worker thread. */
export function encodeRowsAsync(vectors: Float32Array, dim: number, storage: Storage, normalize: boolean,
  outData: StoredArray, outScales: Float32Array): Promise<void> {
  return native.galleryEncodeAsync(encodeArgs(vectors, dim, storage, normalize, outData, outScales));
}

/** Stored rows [row, row + count) as float32 (dequantised), into `out` or a new array. */
export function decodeRows(rows: Omit<StoredRows, 'n'>, row: number, count: number, out = new Float32Array(count * rows.dim)): Float32Array {
  native.galleryDecode({ data: rows.data, scales: rows.scales, storage: storageCode(rows.storage), dim: rows.dim, row, rows: count, out });
  return out;
}

function checkSearch(queries: Float32Array, rows: StoredRows, k: number, options: RowSearchOptions): number {
  if (!(queries instanceof Float32Array)) throw new TypeError(`queries: expected a Float32Array, got ${describe(queries)}`);
  assertInteger('k', k, 1, 2 ** 31 - 1);
  const { minScore } = options;
  if (minScore !== undefined && typeof minScore !== 'number') {
    throw new TypeError(`options.minScore: expected a number, got ${describe(minScore)}`);
  }
  if (Number.isNaN(minScore)) throw new RangeError('options.minScore: expected a number, got NaN');
  return queries.length / rows.dim;
}

function searchArgs(queries: Float32Array, rows: StoredRows, k: number, options: RowSearchOptions, out: RowHits) {
  return {
    queries, dim: rows.dim, metric: metricCode(options.metric), storage: storageCode(rows.storage), data: rows.data,
    scales: rows.scales, n: rows.n, mask: options.mask, k, minScore: options.minScore, outIndex: out.index,
    outScores: out.scores, threads: options.threads,
  };
}

function hits(nq: number, k: number): RowHits {
  return { index: new Int32Array(nq * k), scores: new Float32Array(nq * k), k };
}

/** Per query, the best min(k, n) candidate rows scoring >= minScore (worker thread). */
export async function searchRows(queries: Float32Array, rows: StoredRows, k: number, options: RowSearchOptions): Promise<RowHits> {
  const nq = checkSearch(queries, rows, k, options);
  const out = hits(Math.floor(nq), Math.min(k, rows.n));
  await native.gallerySearchAsync(searchArgs(queries, rows, k, options, out));
  return out;
}

/**
 * Per query, the best min(k, nLabels) identities: labels[r] in [0, nLabels) is row r's, scored
 * by its candidate rows' max or mean (worker thread).
 */
export async function searchRowLabels(queries: Float32Array, rows: StoredRows, labels: Int32Array, nLabels: number,
  aggregate: Aggregate, k: number, options: RowSearchOptions): Promise<RowHits> {
  const nq = checkSearch(queries, rows, k, options);
  const out = hits(Math.floor(nq), Math.min(k, nLabels));
  await native.gallerySearchLabelsAsync({ ...searchArgs(queries, rows, k, options, out), labels, nLabels, aggregate: aggregateCode(aggregate) });
  return out;
}

/** StringIndex's table for `count` NUL-terminated UTF-8 ids: count, a repeated id's index, or -1 if malformed. */
export function buildIdTable(bytes: Uint8Array, count: number, table: Int32Array): number {
  return native.galleryIdTable({ bytes, count, table });
}

/** CRC-32C of bytes, extending `seed` (0 for a fresh checksum). */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  return native.crc32c(bytes, seed);
}

/** `crc32c` on a worker thread (large sections). */
export async function crc32cAsync(bytes: Uint8Array, seed = 0): Promise<number> {
  const out = new Uint32Array(1);
  await native.crc32cAsync(bytes, seed, out);
  return out[0]!;
}

/** Zero-filled memory whose pages are allocated when first written; null where unsupported. */
export function reserveRows(bytes: number): ArrayBuffer | null {
  return native.reserveRows(bytes);
}

/** The file's [offset, offset + length) mapped copy-on-write with room up to reserveBytes; null where unsupported. */
export function mapFileRows(path: string, offset: number, length: number, reserveBytes: number): ArrayBuffer | null {
  return native.mapFileRows(path, offset, length, reserveBytes);
}
