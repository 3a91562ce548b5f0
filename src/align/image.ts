// The raw image type the alignment functions take, and its validation.
import { assertInteger, assertOptionsObject, describe } from '../core/validate.js';

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

const MAX_SIDE = 1 << 20;

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
