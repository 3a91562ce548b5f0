// Letterbox resize for detectors: scale the image to fit a fixed canvas keeping its aspect
// ratio, optionally with a black border around it first (detectors such as SCRFD miss faces that
// fill the whole frame), and pad the rest of the canvas with black at the right and bottom as
// insightface does. Resampling is sharp's (libvips), not JS.
import sharp from 'sharp';
import type { RgbImage } from './decode.js';

export interface Letterboxed {
  /** width x height x 3 RGB bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Canvas pixels per source pixel, per axis (the rounding of the resized size makes them differ slightly). */
  scaleX: number;
  scaleY: number;
  /** Where the source image's (0, 0) lands on the canvas. */
  offsetX: number;
  offsetY: number;
}

/** Where an image of srcWidth x srcHeight lands in a width x height canvas (`border` as in letterbox). */
export function letterboxGeometry(srcWidth: number, srcHeight: number, width: number, height: number, border = 0): Omit<Letterboxed, 'data'> {
  const margin = Math.round(border * Math.max(srcWidth, srcHeight));
  const scale = Math.min(width / (srcWidth + 2 * margin), height / (srcHeight + 2 * margin));
  const rw = Math.max(1, Math.min(width, Math.round(srcWidth * scale)));
  const rh = Math.max(1, Math.min(height, Math.round(srcHeight * scale)));
  return {
    width, height,
    scaleX: rw / srcWidth, scaleY: rh / srcHeight,
    offsetX: Math.min(width - rw, Math.round(margin * scale)),
    offsetY: Math.min(height - rh, Math.round(margin * scale)),
  };
}

/**
 * Resizes `image` into a `width` x `height` canvas. `border` is a fraction of the source's larger
 * side added as black margin on every side before fitting (0 = none).
 */
export async function letterbox(image: RgbImage, width: number, height: number, border = 0): Promise<Letterboxed> {
  const g = letterboxGeometry(image.width, image.height, width, height, border);
  const rw = Math.round(g.scaleX * image.width), rh = Math.round(g.scaleY * image.height);
  const resized = rw === image.width && rh === image.height
    ? sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(rw, rh, { fit: 'fill' });
  const data = await resized
    .extend({ left: g.offsetX, top: g.offsetY, right: width - rw - g.offsetX, bottom: height - rh - g.offsetY, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), ...g };
}
