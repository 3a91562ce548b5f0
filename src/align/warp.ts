// Batched affine warp (native kernel): n crops of one image, as uint8 HWC crops or straight
// into a normalised float32 NCHW tensor, with OpenCV warpAffine's conventions.
import { native } from '../native.js';
import { threadCount } from '../core/options.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe } from '../core/validate.js';
import { checkImage, type RawImage } from './image.js';
import { assertMatrix, invertAffine } from './transform.js';

export type Interpolation = 'bilinear' | 'nearest';
export type BorderMode = 'constant' | 'replicate';
export type WarpOutput = 'uint8' | 'float32-nchw';
export type ChannelOrder = 'rgb' | 'bgr';

export interface WarpOptions {
  /** Output width and height in pixels (1..8192). */
  width: number;
  height: number;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** 'constant' (default: pixels outside the image are borderValue) or 'replicate' (edge pixels). */
  border?: BorderMode;
  /** Value of outside pixels for border 'constant', an integer 0..255 (a pixel value, as OpenCV casts it): one, or one per image channel (default 0). */
  borderValue?: number | readonly number[];
  /** 'uint8': n x H x W x C bytes (default). 'float32-nchw': n x 3 x H x W floats, (v - mean) / std. */
  output?: WarpOutput;
  /** float32-nchw: per output channel (in output order), one number or three (default 0). */
  mean?: number | readonly number[];
  /** float32-nchw: per output channel, one number or three, non-zero (default 1). */
  std?: number | readonly number[];
  /**
   * Order of the output channels: 'rgb' keeps the image's order (default), 'bgr' swaps the first and
   * third channel (3- and 4-channel images). Grey images expand to 3 equal channels in float32-nchw.
   */
  channelOrder?: ChannelOrder;
  /** Threads for the kernel (default: the machine's cores). */
  threads?: number;
  /** Write into this buffer (Uint8Array for uint8, Float32Array for float32-nchw) instead of allocating. */
  out?: Uint8Array | Float32Array;
}

/** n row-major 2x3 matrices: flat (6n numbers) or a list of 6-number matrices. */
export type Matrices = ArrayLike<number> | readonly ArrayLike<number>[];

const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];
const BORDERS: readonly BorderMode[] = ['constant', 'replicate'];
const OUTPUTS: readonly WarpOutput[] = ['uint8', 'float32-nchw'];
const ORDERS: readonly ChannelOrder[] = ['rgb', 'bgr'];

function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** The inverses (destination -> source) of the matrices, flat in a Float64Array. */
export function inverseMatrices(matrices: unknown): Float64Array {
  if (!isList(matrices)) throw new TypeError(`matrices: expected row-major 2x3 matrices (flat or a list), got ${describe(matrices)}`);
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

function perChannel(name: string, value: unknown, count: number, fallback: number, check: (v: number) => boolean, want: string): number[] {
  if (value === undefined) return new Array<number>(count).fill(fallback);
  const list = typeof value === 'number' ? new Array<number>(count).fill(value) : value;
  if (!isList(list)) throw new TypeError(`${name}: expected a number or ${count} numbers, got ${describe(value)}`);
  if (list.length !== count) throw new RangeError(`${name}: expected ${count} values (one per channel), got ${list.length}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new TypeError(`${name}[${i}]: expected a number, got ${describe(v)}`);
    if (!check(v)) throw new RangeError(`${name}[${i}]: expected ${want}, got ${v}`);
    out.push(v);
  }
  return out;
}

export function prepareWarp(image: unknown, matrices: unknown, options: unknown, inverse?: Float64Array) {
  const img = checkImage('image', image);
  const opts = assertOptionsObject('options', options);
  if (options === undefined) throw new TypeError('options: expected { width, height, ... }, got undefined');
  const width = assertInteger('options.width', opts.width, 1, 8192);
  const height = assertInteger('options.height', opts.height, 1, 8192);
  const interp = assertOneOf('options.interpolation', opts.interpolation ?? 'bilinear', INTERPOLATIONS);
  const border = assertOneOf('options.border', opts.border ?? 'constant', BORDERS);
  const output = assertOneOf('options.output', opts.output ?? 'uint8', OUTPUTS);
  const order = assertOneOf('options.channelOrder', opts.channelOrder ?? 'rgb', ORDERS);
  const bv = perChannel('options.borderValue', opts.borderValue, img.channels, 0, (v) => Number.isInteger(v) && v >= 0 && v <= 255, 'an integer in [0, 255]');
  const borderValue = new Float64Array(4);
  borderValue.set(bv);
  const mean = perChannel('options.mean', opts.mean, 3, 0, Number.isFinite, 'a finite number');
  const std = perChannel('options.std', opts.std, 3, 1, (v) => Number.isFinite(v) && v !== 0, 'a finite non-zero number');
  const inv = inverse ?? inverseMatrices(matrices);
  const n = inv.length / 6;
  const size = output === 'uint8' ? n * height * width * img.channels : n * 3 * height * width;
  let out: Uint8Array | Float32Array;
  if (opts.out !== undefined) {
    const want = output === 'uint8' ? Uint8Array : Float32Array;
    if (!(opts.out instanceof want)) {
      throw new TypeError(`options.out: expected a ${want.name} for output '${output}', got ${describe(opts.out)}`);
    }
    if (opts.out.length < size) {
      throw new RangeError(`options.out: expected a ${want.name} of at least ${size} elements, got ${opts.out.length}`);
    }
    out = opts.out.length === size ? opts.out : opts.out.subarray(0, size);
  } else {
    out = output === 'uint8' ? new Uint8Array(size) : new Float32Array(size);
  }
  const args = [
    img.data, img.width, img.height, img.channels, img.stride, inv, width, height,
    interp === 'nearest' ? 1 : 0, border === 'replicate' ? 1 : 0, borderValue,
    output === 'uint8' ? 0 : 1, order === 'bgr', new Float64Array([...mean, ...std]), out, threadCount(opts.threads),
  ] as const;
  return { args, out };
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
  const { args, out } = prepareWarp(image, matrices, options);
  native.warpAffine(...args);
  return out;
}

/** `warpAffine` off the main thread. */
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions & { output: 'float32-nchw' }): Promise<Float32Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions & { output?: 'uint8' }): Promise<Uint8Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions): Promise<Uint8Array | Float32Array>;
export async function warpAffineAsync(image: RawImage, matrices: Matrices, options: WarpOptions): Promise<Uint8Array | Float32Array> {
  const { args, out } = prepareWarp(image, matrices, options);
  await native.warpAffineAsync(...args);
  return out;
}
