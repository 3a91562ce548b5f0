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

/**
 * Resizes `image` into a `width` x `height` canvas. `border` is a fraction of the source's larger
 * side added as black margin on every side before fitting (0 = none).
 */
export async function letterbox(image: RgbImage, width: number, height: number, border = 0): Promise<Letterboxed> {
  const margin = Math.round(border * Math.max(image.width, image.height));
  const scale = Math.min(width / (image.width + 2 * margin), height / (image.height + 2 * margin));
  const rw = Math.max(1, Math.min(width, Math.round(image.width * scale)));
  const rh = Math.max(1, Math.min(height, Math.round(image.height * scale)));
  const left = Math.min(width - rw, Math.round(margin * scale));
  const top = Math.min(height - rh, Math.round(margin * scale));
  const resized = rw === image.width && rh === image.height
    ? sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(rw, rh, { fit: 'fill' });
  const data = await resized
    .extend({ left, top, right: width - rw - left, bottom: height - rh - top, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width, height,
    scaleX: rw / image.width, scaleY: rh / image.height,
    offsetX: left, offsetY: top,
  };
}
