// Decoding at a reduced size when the photo is larger than the pipeline needs. For JPEG, sharp's
// resize uses libjpeg's DCT scaling (shrink-on-load: 1/2, 1/4, 1/8 while still decoding), so a
// 12 MP photo costs a fraction of its full decode; other formats decode fully, then shrink.
// Callers map coordinates back to the full-resolution photo with `scaleX` / `scaleY`. Anything
// unusual (a raw image, an unreadable header, an error) goes through decodeImage, which owns the
// checks and error messages.
import fs from 'node:fs';
import sharp from 'sharp';
import { assertInteger } from '../core/validate.js';
import { decodeImage, type ImageInput, type RgbImage } from './decode.js';

export interface ShrunkImage {
  image: RgbImage;
  /** The photo's size after EXIF rotation, before shrinking. */
  width: number;
  height: number;
  /** Full-resolution pixels per decoded pixel (1 when not shrunk). */
  scaleX: number;
  scaleY: number;
}

// Same ceiling as decodeImage's (16384 per side).
const MAX_PIXELS = 16384 * 16384;

/** Decodes `input` with its longer side at most `maxSide` (aspect kept; never enlarged). */
export async function decodeShrunk(input: ImageInput, maxSide: number, name = 'input'): Promise<ShrunkImage> {
  assertInteger('maxSide', maxSide, 32, 16384);
  const full = async (): Promise<ShrunkImage> => {
    const image = await decodeImage(input, name);
    return { image, width: image.width, height: image.height, scaleX: 1, scaleY: 1 };
  };
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return full();
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await fs.promises.readFile(input) : input;
  } catch {
    return full(); // decodeImage names the problem
  }
  let width: number, height: number;
  try {
    const meta = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_PIXELS }).metadata();
    if (!meta.width || !meta.height) return full();
    const swap = (meta.orientation ?? 1) >= 5;
    [width, height] = swap ? [meta.height, meta.width] : [meta.width, meta.height];
  } catch {
    return full();
  }
  if (Math.max(width, height) <= maxSide) {
    const image = await decodeImage(bytes, name);
    return { image, width: image.width, height: image.height, scaleX: 1, scaleY: 1 };
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_PIXELS })
      .rotate() // EXIF orientation, before the resize
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return full();
    const image: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
    return { image, width, height, scaleX: width / info.width, scaleY: height / info.height };
  } catch {
    return full();
  }
}
