// ArcFace alignment templates: where the five landmarks (left eye, right eye, nose tip, left and
// right mouth corner, as seen in the image) sit in a 112x112 training crop (insightface arcface_dst).

/** The ArcFace 112x112 template as flat [x0, y0, x1, y1, ...] (5 points). */
export const ARCFACE_TEMPLATE_112: readonly number[] = Object.freeze([
  38.2946, 51.6963,
  73.5318, 51.5014,
  56.0252, 71.7366,
  41.5493, 92.3655,
  70.7299, 92.2041,
]);

/**
 * The ArcFace template for a square crop of `size` pixels, by insightface's rule (estimate_norm):
 * multiples of 112 scale by size/112; multiples of 128 scale by size/128 and shift x right by
 * 8 * size/128 (the 112 crop centred in 128). Other sizes: RangeError.
 */
export function templateForSize(size: number): Float64Array {
  if (typeof size !== 'number') throw new TypeError(`size: expected an integer, got ${typeof size}`);
  if (!Number.isInteger(size) || size <= 0 || (size % 112 !== 0 && size % 128 !== 0)) {
    throw new RangeError(`size: expected a positive multiple of 112 or 128, got ${size}`);
  }
  const by112 = size % 112 === 0;
  const ratio = by112 ? size / 112 : size / 128;
  const shiftX = by112 ? 0 : 8 * ratio;
  const out = new Float64Array(10);
  for (let i = 0; i < 5; i++) {
    out[2 * i] = ARCFACE_TEMPLATE_112[2 * i] * ratio + shiftX;
    out[2 * i + 1] = ARCFACE_TEMPLATE_112[2 * i + 1] * ratio;
  }
  return out;
}
