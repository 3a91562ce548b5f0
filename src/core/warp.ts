// The batched affine warp's door to the addon: checks the image, the destination -> source
// matrices and the options, encodes them as the binding's named options and runs the kernel
// (sync, or on a worker thread). src/align builds the matrices (Umeyama, inversion) on top.
import { native, type NativeWarpOptions } from '../native.js';
import { threadCount } from './options.js';
import { assertInteger, assertNoOverlap, assertOneOf, assertOptionsObject, describe, isNumberList } from './validate.js';

/** An 8-bit image, rows top to bottom, pixels interleaved (HWC): grey, RGB or RGBA. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /** Bytes from one row to the next (default width * channels). */
  stride?: number;
}

export interface CheckedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  stride: number;
}

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
  /** Write into this buffer (Uint8Array for uint8, Float32Array for float32-nchw) instead of allocating; it must not overlap image.data. */
  out?: Uint8Array | Float32Array;
}

const MAX_SIDE = 1 << 20;
const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];
const BORDERS: readonly BorderMode[] = ['constant', 'replicate'];
const OUTPUTS: readonly WarpOutput[] = ['uint8', 'float32-nchw'];
const ORDERS: readonly ChannelOrder[] = ['rgb', 'bgr'];

export function checkImage(name: string, value: unknown): CheckedImage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name}: expected { data: Uint8Array, width, height, channels }, got ${describe(value)}`);
  }
  const img = assertOptionsObject(name, value);
  let data = img.data;
  if (data instanceof Uint8ClampedArray) data = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (!(data instanceof Uint8Array)) throw new TypeError(`${name}.data: expected a Uint8Array, got ${describe(img.data)}`);
  const width = assertInteger(`${name}.width`, img.width, 1, MAX_SIDE);
  const height = assertInteger(`${name}.height`, img.height, 1, MAX_SIDE);
  const channels = assertInteger(`${name}.channels`, img.channels, 1, 4);
  if (channels === 2) throw new RangeError(`${name}.channels: expected 1, 3 or 4, got 2`);
  const stride = img.stride === undefined ? width * channels : assertInteger(`${name}.stride`, img.stride, 1, 4 * MAX_SIDE);
  if (stride < width * channels) {
    throw new RangeError(`${name}.stride: expected at least width * channels = ${width * channels}, got ${stride}`);
  }
  if (data.length < stride * height) {
    throw new RangeError(`${name}.data: expected at least stride * height = ${stride * height} bytes, got ${data.length}`);
  }
  return { data, width, height, channels: channels as 1 | 3 | 4, stride };
}

function perChannel(name: string, value: unknown, count: number, fallback: number, check: (v: number) => boolean, want: string): Float64Array {
  if (value === undefined) return new Float64Array(count).fill(fallback);
  const list = typeof value === 'number' ? new Array<number>(count).fill(value) : value;
  if (!isNumberList(list)) throw new TypeError(`${name}: expected a number or ${count} numbers, got ${describe(value)}`);
  if (list.length !== count) throw new RangeError(`${name}: expected ${count} values (one per channel), got ${list.length}`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new TypeError(`${name}[${i}]: expected a number, got ${describe(v)}`);
    if (!check(v)) throw new RangeError(`${name}[${i}]: expected ${want}, got ${v}`);
    out[i] = v;
  }
  return out;
}

function outBuffer(given: unknown, output: WarpOutput, size: number): Uint8Array | Float32Array {
  const want = output === 'uint8' ? Uint8Array : Float32Array;
  if (given === undefined) return new want(size);
  if (!(given instanceof want)) {
    throw new TypeError(`options.out: expected a ${want.name} for output '${output}', got ${describe(given)}`);
  }
  if (given.length < size) {
    throw new RangeError(`options.out: expected a ${want.name} of at least ${size} elements, got ${given.length}`);
  }
  return given.length === size ? given : given.subarray(0, size);
}

function prepare(image: unknown, inverse: Float64Array, options: unknown) {
  const img = checkImage('image', image);
  if (options === undefined) throw new TypeError('options: expected { width, height, ... }, got undefined');
  const opts = assertOptionsObject('options', options);
  const width = assertInteger('options.width', opts.width, 1, 8192);
  const height = assertInteger('options.height', opts.height, 1, 8192);
  const interp = assertOneOf('options.interpolation', opts.interpolation ?? 'bilinear', INTERPOLATIONS);
  const border = assertOneOf('options.border', opts.border ?? 'constant', BORDERS);
  const output = assertOneOf('options.output', opts.output ?? 'uint8', OUTPUTS);
  const order = assertOneOf('options.channelOrder', opts.channelOrder ?? 'rgb', ORDERS);
  const isByte = (v: number) => Number.isInteger(v) && v >= 0 && v <= 255;
  const borderValue = new Float64Array(4);
  borderValue.set(perChannel('options.borderValue', opts.borderValue, img.channels, 0, isByte, 'an integer in [0, 255]'));
  const mean = perChannel('options.mean', opts.mean, 3, 0, Number.isFinite, 'a finite number');
  const std = perChannel('options.std', opts.std, 3, 1, (v) => Number.isFinite(v) && v !== 0, 'a finite non-zero number');
  if (!(inverse instanceof Float64Array)) throw new TypeError(`inverse: expected a Float64Array, got ${describe(inverse)}`);
  if (inverse.length % 6 !== 0) throw new RangeError(`inverse: expected 6 numbers per matrix (a multiple of 6), got ${inverse.length}`);
  const n = inverse.length / 6;
  const out = outBuffer(opts.out, output, output === 'uint8' ? n * height * width * img.channels : n * 3 * height * width);
  assertNoOverlap('options.out', out, { 'image.data': img.data });
  const job: NativeWarpOptions = {
    data: img.data, width: img.width, height: img.height, channels: img.channels, stride: img.stride,
    inverse, outWidth: width, outHeight: height,
    interpolation: interp === 'nearest' ? 1 : 0, border: border === 'replicate' ? 1 : 0, borderValue,
    output: output === 'uint8' ? 0 : 1, bgr: order === 'bgr', mean, std, out, threads: threadCount(opts.threads),
  };
  return { job, out };
}

/**
 * Warps `image` into n crops, one per destination -> source matrix in `inverse` (6 numbers each,
 * the inverse of OpenCV's M), in one native pass: n x H x W x C bytes or an n x 3 x H x W tensor.
 */
export function warpInverse(image: RawImage, inverse: Float64Array, options: WarpOptions): Uint8Array | Float32Array {
  const { job, out } = prepare(image, inverse, options);
  native.warpAffine(job);
  return out;
}

/** `warpInverse` on a worker thread. */
export async function warpInverseAsync(image: RawImage, inverse: Float64Array, options: WarpOptions): Promise<Uint8Array | Float32Array> {
  const { job, out } = prepare(image, inverse, options);
  await native.warpAffineAsync(job);
  return out;
}
