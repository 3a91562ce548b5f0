// Decoding at a reduced size when a JPEG is much larger than the pipeline needs: sharp's resize
// uses libjpeg's DCT scaling (shrink-on-load) while decoding. Only 1/4 and 1/8 are used, the
// largest that keeps the longer side >= maxSide. Measured on the deepface JPEGs (best of 3 per
// photo, sharp with concurrency 1): whole 76 ms/photo, 1/2 103 ms (sharp decodes whole and
// resamples: slower), 1/4 63 ms; resizing to any size in between is slower still. So a 12 MP
// phone photo (4032 px, 1008 px at 1/4) decodes shrunk; other formats and smaller JPEGs whole. Callers map coordinates
// back to the full-resolution photo with `scaleX` / `scaleY`. Anything unusual (a raw image, an
// unreadable header, an error) goes through decodeImage, which owns the checks and messages.
import fs from 'node:fs';
import { assertInteger, assertOptionsObject } from '../core/validate.js';
import { assertColourManaged, decodeImage, openEncoded, rawRgb, type ImageInput, type RgbImage } from './decode.js';
import { jpegSize } from './jpeg-size.js';

export interface ShrunkImage {
  image: RgbImage;
  /** The photo's size after EXIF rotation, before shrinking. */
  width: number;
  height: number;
  /** Full-resolution pixels per decoded pixel (1 when not shrunk). */
  scaleX: number;
  scaleY: number;
}

export interface ShrinkOptions {
  /** Apply an embedded ICC profile (default false: stored values taken as sRGB; see decodeImage). */
  colourManaged?: boolean;
}

/** Decodes `input`, a JPEG shrunk by the largest of 4, 8 that keeps its longer side >= `maxSide`. */
export async function decodeShrunk(input: ImageInput, maxSide: number, name = 'input', options: ShrinkOptions = {}): Promise<ShrunkImage> {
  assertInteger('maxSide', maxSide, 32, 16384);
  const colourManaged = assertColourManaged('options.colourManaged', assertOptionsObject('options', options).colourManaged ?? false);
  const decodeWhole = async (whole: ImageInput): Promise<ShrunkImage> => {
    const image = await decodeImage(whole, name, { colourManaged });
    return { image, width: image.width, height: image.height, scaleX: 1, scaleY: 1 };
  };
  const full = () => decodeWhole(input);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return full();
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await fs.promises.readFile(input) : input;
  } catch {
    return full(); // decodeImage names the problem
  }
  // Not a JPEG, or one too small to shrink: decode whole without reading the header twice.
  const stored = jpegSize(bytes);
  if (stored === undefined) return full(); // other formats; errors named by the path
  if (shrinkFactor(Math.max(...stored), maxSide) === 1) return decodeWhole(bytes);
  let width: number, height: number, factor: number;
  try {
    const meta = await openEncoded(bytes, colourManaged).metadata();
    if (!meta.width || !meta.height) return full();
    const swap = (meta.orientation ?? 1) >= 5;
    [width, height] = swap ? [meta.height, meta.width] : [meta.width, meta.height];
    factor = meta.format === 'jpeg' ? shrinkFactor(Math.max(width, height), maxSide) : 1;
  } catch {
    return full();
  }
  if (factor === 1) return decodeWhole(bytes);
  try {
    // libjpeg's scaled output is ceil(side / factor); asking for exactly that leaves no resampling.
    const image = await rawRgb(openEncoded(bytes, colourManaged)
      .rotate() // EXIF orientation, before the resize
      .resize({ width: Math.ceil(width / factor), height: Math.ceil(height / factor), fit: 'fill', fastShrinkOnLoad: true }));
    return { image, width, height, scaleX: width / image.width, scaleY: height / image.height };
  } catch {
    return full();
  }
}

/** 8 or 4, the largest with side / factor >= maxSide, else 1 (whole). */
export function shrinkFactor(side: number, maxSide: number): number {
  if (side / 8 >= maxSide) return 8;
  return side / 4 >= maxSide ? 4 : 1;
}
