// Image input for the face pipeline: a file path, an encoded Buffer, or a raw image, decoded by
// sharp into 8-bit RGB (HWC). sharp picks the decoder from the bytes, never from the file name
// (some test photos are WebP or PNG named .jpg); EXIF orientation is applied; grayscale is
// expanded to RGB and an alpha channel dropped (as OpenCV's imread does, which the reference
// pipelines use). An embedded ICC profile is ignored by default, as imread ignores it: the
// reference pipelines (and the models' training data) saw the stored values, and converting with
// lcms cost 13 of the 45 deepface photos 2-4x their decode time (couple.jpg 104 -> 45 ms).
import fs from 'node:fs';
import sharp from 'sharp';
import { describe } from '../core/validate.js';

/** An 8-bit image, row-major HWC; `channels` 1 (gray), 3 (RGB) or 4 (RGBA). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** What decodeImage returns: always 3 channels, RGB. */
export interface RgbImage extends RawImage {
  channels: 3;
}

export type ImageInput = string | Buffer | Uint8Array | RawImage;

// Largest side we accept (sharp's own default pixel limit is ~268 MP): bigger is a mistake or an attack.
const MAX_SIDE = 16384;

/**
 * Default largest image decodeImage decodes, in pixels: 40 MP (a 7300 x 5470 photo; every
 * phone and most cameras are below). Checked from the header before decoding: a 730 KB PNG of
 * 16000 x 16000 otherwise takes ~1 GB of memory (a decompression bomb).
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export interface DecodeOptions {
  /** Refuse (RangeError) encoded images of more pixels than this (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /**
   * Convert from an embedded ICC profile to sRGB (true), or take the stored values as sRGB
   * (false, the default: what OpenCV's imread and the reference pipelines do, and faster).
   */
  colourManaged?: boolean;
}

interface CheckedDecodeOptions {
  maxPixels: number;
  colourManaged: boolean;
}

function isRawImage(value: unknown): value is RawImage {
  return typeof value === 'object' && value !== null && 'data' in value && 'width' in value && 'height' in value;
}

/** Checks a raw image's fields and returns it typed; TypeError / RangeError naming `name`'s field otherwise. */
export function checkRawImage(name: string, value: RawImage): RawImage {
  const { data, width, height, channels } = value;
  if (!(data instanceof Uint8Array)) throw new TypeError(`${name}.data: expected a Uint8Array (HWC, 8-bit), got ${describe(data)}`);
  for (const [field, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number') throw new TypeError(`${name}.${field}: expected an integer, got ${describe(v)}`);
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) throw new RangeError(`${name}.${field}: expected an integer in [1, ${MAX_SIDE}], got ${v}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`${name}.channels: expected 1, 3 or 4, got ${describe(channels)}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`${name}.data: expected width*height*channels = ${width * height * channels} bytes, got ${data.length}`);
  }
  return value;
}

// First bytes as text or hex, for "this is not an image" messages.
function sniffDescription(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  return printable
    ? `text starting '${Buffer.from(head).toString('latin1').replace(/\s+/g, ' ')}'`
    : `bytes ${Buffer.from(head.subarray(0, 8)).toString('hex')}`;
}

function decodeOptions(options: unknown): CheckedDecodeOptions {
  if (options === undefined) return { maxPixels: DEFAULT_MAX_PIXELS, colourManaged: false };
  if (typeof options !== 'object' || options === null) throw new TypeError(`options: expected an options object, got ${describe(options)}`);
  const { maxPixels = DEFAULT_MAX_PIXELS, colourManaged = false } = options as DecodeOptions;
  if (typeof maxPixels !== 'number') throw new TypeError(`options.maxPixels: expected an integer, got ${describe(maxPixels)}`);
  if (!Number.isInteger(maxPixels) || maxPixels < 1) throw new RangeError(`options.maxPixels: expected an integer >= 1, got ${maxPixels}`);
  return { maxPixels, colourManaged: assertColourManaged('options.colourManaged', colourManaged) };
}

/** `value` if it is a boolean; TypeError naming `name` otherwise. */
export function assertColourManaged(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${describe(value)}`);
  return value;
}

/**
 * A sharp pipeline over encoded bytes with the decoder settings every decode here shares:
 * errors fail (no half-decoded images), sharp's own pixel ceiling, and the ICC choice.
 */
export function openEncoded(bytes: Uint8Array, colourManaged: boolean): ReturnType<typeof sharp> {
  return sharp(bytes, { failOn: 'error', limitInputPixels: MAX_SIDE * MAX_SIDE, ignoreIcc: !colourManaged });
}

/** Ends a pipeline as 8-bit RGB: sRGB space, alpha dropped (EXIF rotation and any resize are the caller's). */
export async function rawRgb(pipeline: ReturnType<typeof sharp>): Promise<RgbImage> {
  const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

async function decodeEncoded(name: string, bytes: Buffer, label: string, { maxPixels, colourManaged }: CheckedDecodeOptions): Promise<RgbImage> {
  if (bytes.length === 0) throw new RangeError(`${name}: expected an encoded image, got ${label} of 0 bytes`);
  let pipeline: ReturnType<typeof sharp>;
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    // sharp's own limit (also checked by metadata()) is the outer bound; maxPixels is checked below.
    pipeline = openEncoded(bytes, colourManaged);
    meta = await pipeline.metadata();
    if (!meta.width || !meta.height) throw new Error('no image dimensions');
  } catch (err) {
    const msg = (err as Error).message;
    if (/unsupported image format/i.test(msg)) {
      throw new TypeError(`${name}: expected an image (JPEG, PNG, WebP, GIF, TIFF, AVIF), got ${label} holding ${sniffDescription(bytes)}`);
    }
    throw new RangeError(`${name}: ${label} is not a decodable image: ${msg}`);
  }
  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    throw new RangeError(`${name}: expected an image of at most ${maxPixels} pixels (options.maxPixels), got ${label} of ` +
      `${meta.width} x ${meta.height} = ${pixels} pixels`);
  }
  try {
    return await rawRgb(pipeline.rotate()); // EXIF orientation
  } catch (err) {
    throw new RangeError(`${name}: ${label} is corrupt or truncated: ${(err as Error).message}`);
  }
}

/** Expands a raw gray/RGBA image to RGB; RGB input is returned as is (no copy). */
export function toRgb(image: RawImage): RgbImage {
  const { data, width, height, channels } = image;
  if (channels === 3) return image as RgbImage;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    out[i * 3] = data[s]!;
    out[i * 3 + 1] = data[channels === 1 ? s : s + 1]!;
    out[i * 3 + 2] = data[channels === 1 ? s : s + 2]!;
  }
  return { data: out, width, height, channels: 3 };
}

/**
 * Decodes `input` (a path, an encoded image Buffer, or a raw image) to RGB. Encoded images
 * above `options.maxPixels` (default 40 MP) are refused from their header, before decoding; an
 * embedded ICC profile is applied only with `options.colourManaged`.
 * Errors: TypeError for a wrong kind of input or content that is no image, RangeError for empty,
 * corrupt or truncated data, Error for a missing file; each names `name`.
 */
export async function decodeImage(input: ImageInput, name = 'input', options?: DecodeOptions): Promise<RgbImage> {
  const checked = decodeOptions(options);
  if (typeof input === 'string') {
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(input);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Error(`${name}: file not found: '${input}'`);
      if (code === 'EISDIR') throw new TypeError(`${name}: expected an image file, got the directory '${input}'`);
      throw new Error(`${name}: cannot read '${input}': ${(err as Error).message}`);
    }
    return decodeEncoded(name, bytes, `the file '${input}'`, checked);
  }
  if (input instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    return decodeEncoded(name, bytes, 'a buffer', checked);
  }
  if (isRawImage(input)) return toRgb(checkRawImage(name, input));
  throw new TypeError(`${name}: expected a file path, an encoded image Buffer or { data, width, height, channels }, got ${describe(input)}`);
}
