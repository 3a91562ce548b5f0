// Loads the native addon: the only file that touches it. node-gyp-build picks a prebuilt
// binary from prebuilds/ (shipped in the npm package) or the local build/Release one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type IsaName = 'scalar' | 'avx2' | 'avx512';

/** The ISA each kernel family runs: the int8 dot needs AVX-512 VNNI for its AVX-512 tier, crc32c uses SSE4.2 from the AVX2 tier. */
export interface KernelIsas {
  general: IsaName;
  i8Dot: IsaName;
  crc32c: IsaName;
}

export interface NativeAddon {
  getIsa(): IsaName;
  detectedIsa(): IsaName;
  setIsa(isa: IsaName): IsaName;
  kernelIsas(): KernelIsas;
  defaultThreads(): number;
  /** Streams `data` once on `threads` threads; bytes per second (benchmarks). */
  measureReadBandwidth(data: Float32Array, threads: number): number;
  /** Independent FMA chains on `threads` threads for about `seconds`; FLOP/s (benchmarks). */
  measureFmaPeak(threads: number, seconds: number): number;
  similarityMatrix(a: Float32Array, b: Float32Array, dim: number, metric: number, out: Float32Array, threads: number): void;
  similarityMatrixAsync(
    a: Float32Array, b: Float32Array, dim: number, metric: number, out: Float32Array, threads: number,
  ): Promise<void>;
  topK(args: TopKArgs): void;
  topKAsync(args: TopKArgs): Promise<void>;
  warpAffine(options: NativeWarpOptions): void;
  warpAffineAsync(options: NativeWarpOptions): Promise<void>;
  marginSoftmax(options: NativeMarginOptions): void;
  marginSoftmaxAsync(options: NativeMarginOptions): Promise<void>;
  /** Updates the rows of `weights` (and the optimizer state) in place. */
  optimizerStep(options: NativeOptimizerOptions): void;
  optimizerStepAsync(options: NativeOptimizerOptions): Promise<void>;
  /** Benchmarks only: the products margin softmax needs, without softmax or normalisation. */
  marginGemmsProbe(options: NativeGemmsProbeOptions): void;
  /** CUDA devices visible to the addon; null when it was built without CUDA. */
  cudaDeviceCount(): number | null;
  galleryEncode(args: GalleryEncodeArgs): void;
  galleryEncodeAsync(args: GalleryEncodeArgs): Promise<void>;
  galleryDecode(args: GalleryDecodeArgs): void;
  gallerySearchAsync(args: GallerySearchArgs): Promise<void>;
  gallerySearchLabelsAsync(args: GallerySearchLabelsArgs): Promise<void>;
  /** One IVF scoring pass over cells [cellFrom, cellTo) (see native/addon/ivf_binding.cc and src/cluster/ivf-graph.ts). */
  ivfScanAsync(options: {
    rows: Float32Array; metric: number; members: Int32Array; memberStart: Int32Array; askers: Int32Array;
    probeStart: Int32Array; n: number; dim: number; k: number; minScore: number; threads: number; cellFrom: number;
    cellTo: number; outIndices: Int32Array; outScores: Float32Array; control: Int32Array;
  }): Promise<void>;
  /** The exact k-NN graph of n stored rows (see native/addon/knn_binding.cc for the options). */
  knnGraphAsync(options: {
    data: Float32Array | Uint16Array | Int8Array; scales: Float32Array; storage: number; n: number; dim: number; k: number;
    metric: number; minScore: number; threads: number; scoreAsInt8?: boolean; outIndices: Int32Array; outScores: Float32Array;
    control: Int32Array;
  }): Promise<void>;
  /** Builds StringIndex's table for `count` NUL-terminated UTF-8 ids: count, a repeated id's index, or -1. */
  galleryIdTable(args: { bytes: Uint8Array; count: number; table: Int32Array }): number;
  /** CRC-32C of bytes, extending `seed` (0 for a fresh checksum). */
  crc32c(bytes: Uint8Array, seed: number): number;
  crc32cAsync(bytes: Uint8Array, seed: number, out: Uint32Array): Promise<void>;
  /** Variance of the 3x3 Laplacian of each crop's weighted grey image (native/addon/quality_binding.cc). */
  laplacianVariance(args: LaplacianVarianceArgs): void;
  laplacianVarianceAsync(args: LaplacianVarianceArgs): Promise<void>;
  /** Zero-filled memory whose pages are allocated when first written; null where unsupported. */
  reserveRows(bytes: number): ArrayBuffer | null;
  /** The file's [offset, offset + length) mapped copy-on-write, then reserve up to reserveBytes; null where unsupported. */
  mapFileRows(path: string, offset: number, length: number, reserveBytes: number): ArrayBuffer | null;
}

/** warpAffine's named options (native/addon/warp_binding.cc); codes as in src/core/warp.ts. */
export interface NativeWarpOptions {
  data: Uint8Array; width: number; height: number; channels: number; stride: number;
  /** n destination -> source 2x3 matrices, row-major. */
  inverse: Float64Array;
  outWidth: number; outHeight: number; interpolation: number; border: number;
  /** Four values, one per source channel. */
  borderValue: Float64Array;
  output: number; bgr: boolean; mean: Float64Array; std: Float64Array;
  out: Uint8Array | Float32Array; threads: number;
}

/** marginSoftmax's named options (native/addon/margin_binding.cc). */
export interface NativeMarginOptions {
  x: Float32Array; w: Float32Array; dim: number; classes: number; subcenters: number; labels: Int32Array;
  activeClasses: Int32Array | null; s: number; m1: number; m2: number; m3: number;
  gradX: Float32Array | null; gradW: Float32Array | null;
  /** Written: loss, accuracy, counted rows. */
  stats: Float64Array;
  threads: number;
}

/** optimizerStep's named options (native/addon/margin_binding.cc); kind 0 = sgd, 1 = adamw. */
export interface NativeOptimizerOptions {
  weights: Float32Array; state0: Float32Array | null; state1: Float32Array | null; grad: Float32Array;
  rows: Int32Array | null; rowLength: number; kind: number; lr: number; momentum: number; weightDecay: number;
  beta1: number; beta2: number; eps: number; step: number; threads: number;
}

export interface NativeGemmsProbeOptions {
  x: Float32Array; w: Float32Array; dim: number; classes: number; subcenters: number; recompute: boolean;
  gradX: Float32Array; gradW: Float32Array; threads: number;
}

/** laplacianVariance's named arguments: `count` crops of channels x height x width floats (NCHW). */
export interface LaplacianVarianceArgs {
  crops: Float32Array; count: number; channels: number; height: number; width: number;
  weights: Float32Array; out: Float64Array; threads: number;
}

/** topK's named options (native/addon/similarity_binding.cc); codes from core/codes.ts. */
export interface TopKArgs {
  queries: Float32Array; gallery: Float32Array; dim: number; k: number; metric: number;
  /** Rows scoring below it are left out (index -1, score -Infinity). */
  minScore?: number;
  outIndices: Int32Array; outScores: Float32Array; threads: number;
}

/** A gallery's stored rows, by storage code: Float32Array, Uint16Array (binary16) or Int8Array. */
export type StoredArray = Float32Array | Uint16Array | Int8Array;

/** The gallery bindings' named options (native/addon/gallery_binding.cc). */
export interface GalleryEncodeArgs {
  vectors: Float32Array; dim: number; storage: number; normalize: boolean; outData: StoredArray; outScales: Float32Array;
}
export interface GalleryDecodeArgs {
  data: StoredArray; scales: Float32Array; storage: number; dim: number; row: number; rows: number; out: Float32Array;
}
export interface GallerySearchArgs {
  queries: Float32Array; dim: number; metric: number; storage: number; data: StoredArray; scales: Float32Array;
  n: number; mask: Uint8Array | null; k: number; minScore?: number; outIndex: Int32Array; outScores: Float32Array;
  threads: number;
}
export interface GallerySearchLabelsArgs extends GallerySearchArgs {
  labels: Int32Array; nLabels: number; aggregate: number;
}

const ISA_NAMES: readonly string[] = ['scalar', 'avx2', 'avx512'];

/** The package root: one level above src/ (sources) or dist/ (compiled). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function load(): NativeAddon {
  const forced = process.env.FACECORE_ISA;
  if (forced !== undefined && forced !== '' && !ISA_NAMES.includes(forced)) {
    throw new RangeError(`FACECORE_ISA: expected one of scalar | avx2 | avx512, got '${forced}'`);
  }
  const threads = process.env.FACECORE_THREADS;
  if (threads !== undefined && threads !== '' && !(/^[0-9]{1,4}$/.test(threads) && Number(threads) >= 1 && Number(threads) <= 1024)) {
    throw new RangeError(`FACECORE_THREADS: expected an integer in [1, 1024], got '${threads}'`);
  }
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
  return nodeGypBuild(packageRoot);
}

export const native: NativeAddon = load();
