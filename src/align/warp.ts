// Batched affine warp by OpenCV's matrices (source -> destination): n crops of one image, as
// uint8 HWC crops or straight into a normalised float32 NCHW tensor, with OpenCV warpAffine's
// conventions. The matrices are inverted here; core/warp.ts checks the rest and runs the kernel.
import { warpInverse, warpInverseAsync, type RawImage, type WarpOptions } from '../core/warp.js';
import { describe, isNumberList } from '../core/validate.js';
import { assertMatrix, invertAffine } from './transform.js';

export type { Interpolation, BorderMode, WarpOutput, ChannelOrder, WarpOptions } from '../core/warp.js';

/** n row-major 2x3 matrices: flat (6n numbers) or a list of 6-number matrices. */
export type Matrices = ArrayLike<number> | readonly ArrayLike<number>[];

/** The inverses (destination -> source) of the matrices, flat in a Float64Array. */
export function inverseMatrices(matrices: unknown): Float64Array {
  if (!isNumberList(matrices)) throw new TypeError(`matrices: expected row-major 2x3 matrices (flat or a list), got ${describe(matrices)}`);
  const nested = Array.isArray(matrices) && matrices.length > 0 && typeof matrices[0] === 'object';
  if (!nested && matrices.length % 6 !== 0) {
    throw new RangeError(`matrices: expected 6 numbers per matrix (a multiple of 6), got ${matrices.length}`);
  }
  const n = nested ? matrices.length : matrices.length / 6;
  const inverse = new Float64Array(6 * n);
  for (let i = 0; i < n; i++) {
    const name = `matrices[${i}]`;
    const m = nested ? (matrices as ArrayLike<unknown>)[i] : Array.prototype.slice.call(matrices, 6 * i, 6 * i + 6);
    assertMatrix(name, m);
    inverse.set(invertAffine(m, name), 6 * i);
  }
  return inverse;
}

/**
 * Warps `image` by each of `matrices` (OpenCV's M: source -> destination, row-major 2x3) into
 * options.width x options.height crops, in one native pass. Returns n x H x W x C bytes
 * ('uint8') or an n x 3 x H x W float tensor ('float32-nchw').
 */
export function warpAffine(image: RawImage, matrices: Matrices, options: WarpOptions & { output: 'float32-nchw' }): Float32Array;
export function warpAffine(image: RawImage, matrices: Matrices, options: WarpOptions & { output?: 'uint8' }): Uint8Array;
export function warpAffine(image: RawImage, matrices: Matrices, options: WarpOptions): Uint8Array | Float32Array;
export function warpAffine(image: RawImage, matrices: Matrices, options: WarpOptions): Uint8Array | Float32Array {
  return warpInverse(image, inverseMatrices(matrices), options);
}

/** `warpAffine` off the main thread. */
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions & { output: 'float32-nchw' }): Promise<Float32Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions & { output?: 'uint8' }): Promise<Uint8Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions): Promise<Uint8Array | Float32Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions): Promise<Uint8Array | Float32Array> {
  return warpInverseAsync(image, inverseMatrices(matrices), options);
}
