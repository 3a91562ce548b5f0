// Loads the native addon: the only file that touches it. node-gyp-build picks a prebuilt
// binary from prebuilds/ (shipped in the npm package) or the local build/Release one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type IsaName = 'scalar' | 'avx2' | 'avx512';

export interface NativeAddon {
  getIsa(): IsaName;
  detectedIsa(): IsaName;
  setIsa(isa: IsaName): IsaName;
  defaultThreads(): number;
  /** Streams `data` once on `threads` threads; bytes per second (benchmarks). */
  measureReadBandwidth(data: Float32Array, threads: number): number;
  /** Independent FMA chains on `threads` threads for about `seconds`; FLOP/s (benchmarks). */
  measureFmaPeak(threads: number, seconds: number): number;
  similarityMatrix(a: Float32Array, b: Float32Array, dim: number, metric: number, out: Float32Array, threads: number): void;
  similarityMatrixAsync(
    a: Float32Array, b: Float32Array, dim: number, metric: number, out: Float32Array, threads: number,
  ): Promise<void>;
  topK(
    queries: Float32Array, gallery: Float32Array, dim: number, k: number, metric: number,
    outIndices: Int32Array, outScores: Float32Array, threads: number,
  ): void;
  topKAsync(
    queries: Float32Array, gallery: Float32Array, dim: number, k: number, metric: number,
    outIndices: Int32Array, outScores: Float32Array, threads: number,
  ): Promise<void>;
  warpAffine(...args: WarpArgs): void;
  warpAffineAsync(...args: WarpArgs): Promise<void>;
  marginSoftmax(
    x: Float32Array, w: Float32Array, dim: number, classes: number, subcenters: number, labels: Int32Array,
    activeClasses: Int32Array | null, s: number, m1: number, m2: number, m3: number,
    gradX: Float32Array | null, gradW: Float32Array | null, out: Float64Array, threads: number,
  ): void;
  marginSoftmaxAsync(
    x: Float32Array, w: Float32Array, dim: number, classes: number, subcenters: number, labels: Int32Array,
    activeClasses: Int32Array | null, s: number, m1: number, m2: number, m3: number,
    gradX: Float32Array | null, gradW: Float32Array | null, out: Float64Array, threads: number,
  ): Promise<void>;
  optimizerStep(
    w: Float32Array, state0: Float32Array | null, state1: Float32Array | null, grad: Float32Array, rows: Int32Array | null,
    rowLength: number, kind: number, lr: number, momentum: number, weightDecay: number, beta1: number, beta2: number,
    eps: number, step: number, threads: number,
  ): void;
  /** Benchmarks only: the products margin softmax needs, without softmax or normalisation. */
  marginGemmsProbe(
    x: Float32Array, w: Float32Array, dim: number, classes: number, subcenters: number, recompute: boolean,
    gradX: Float32Array, gradW: Float32Array, threads: number,
  ): void;
  indexEncode(
    vectors: Float32Array, dim: number, storage: number, normalize: boolean,
    outData: Float32Array | Uint16Array | Int8Array, outScales: Float32Array,
  ): void;
  indexDecode(
    data: Float32Array | Uint16Array | Int8Array, scales: Float32Array, storage: number, dim: number, row: number,
    rows: number, out: Float32Array,
  ): void;
  indexSearchAsync(
    queries: Float32Array, dim: number, metric: number, storage: number, data: Float32Array | Uint16Array | Int8Array,
    scales: Float32Array, n: number, mask: Uint8Array | null, k: number, outIndex: Int32Array, outScores: Float32Array,
    threads: number,
  ): Promise<void>;
  indexSearchLabelsAsync(
    queries: Float32Array, dim: number, metric: number, storage: number, data: Float32Array | Uint16Array | Int8Array,
    scales: Float32Array, n: number, mask: Uint8Array | null, labels: Int32Array, nLabels: number, aggregate: number,
    k: number, outLabels: Int32Array, outScores: Float32Array, threads: number,
  ): Promise<void>;
  /** The exact k-NN graph of n stored rows (see native/addon/knn_binding.cc for the options). */
  knnGraphAsync(options: {
    data: Float32Array | Uint16Array | Int8Array; scales: Float32Array; storage: number; n: number; dim: number; k: number;
    metric: number; minScore: number; threads: number; outIndices: Int32Array; outScores: Float32Array; control: Int32Array;
  }): Promise<void>;
  /** Builds StringIndex's table for `count` NUL-terminated UTF-8 ids: count, a repeated id's index, or -1. */
  indexIdTable(bytes: Uint8Array, count: number, table: Int32Array): number;
  /** CRC-32C of bytes, extending `seed` (0 for a fresh checksum). */
  crc32c(bytes: Uint8Array, seed: number): number;
  crc32cAsync(bytes: Uint8Array, seed: number, out: Uint32Array): Promise<void>;
  /** Zero-filled memory whose pages are allocated when first written; null where unsupported. */
  reserveRows(bytes: number): ArrayBuffer | null;
  /** The file's [offset, offset + length) mapped copy-on-write, then reserve up to reserveBytes; null where unsupported. */
  mapFileRows(path: string, offset: number, length: number, reserveBytes: number): ArrayBuffer | null;
}

/** warpAffine's native arguments (see native/addon/warp_binding.cc). */
export type WarpArgs = readonly [
  data: Uint8Array, width: number, height: number, channels: number, stride: number, inverse: Float64Array,
  outWidth: number, outHeight: number, interpolation: number, border: number, borderValue: Float64Array,
  output: number, bgr: boolean, meanStd: Float64Array, out: Uint8Array | Float32Array, threads: number,
];

const ISA_NAMES: readonly string[] = ['scalar', 'avx2', 'avx512'];

/** The package root: one level above src/ (sources) or dist/ (compiled). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function load(): NativeAddon {
  const forced = process.env.FACECORE_ISA;
  if (forced !== undefined && forced !== '' && !ISA_NAMES.includes(forced)) {
    throw new RangeError(`FACECORE_ISA: expected one of scalar | avx2 | avx512, got '${forced}'`);
  }
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
  return nodeGypBuild(packageRoot);
}

export const native: NativeAddon = load();
