// Letterbox straight into a detector's input tensor: one native bilinear warp does the resize, the
// black padding, the normalisation and HWC -> NCHW (src/core/warp), instead of a sharp resize
// (raw in, raw out) and a JS packing loop: 4.2 ms a photo against 17.0 ms on the deepface photos
// (2 MP mean, to a 480 canvas; bench/letterbox.js, bench/results/pipeline.md). Sampling is pixel-centre
// aligned (as cv2.resize). Bilinear alone aliases when shrinking much (measured: YuNet 640 found
// a 0.52-score ghost on a 2000 px photo that the sharp resize did not), so the image is first
// halved with the same warp until the last step shrinks at most 2.5x: a halving sampled at pixel
// centres is an exact 2x2 box average (a pyramid, like cv2.pyrDown's use before resizing).
import { warpInverseAsync } from '../core/warp.js';
import type { RgbImage } from './decode.js';
import { letterboxGeometry, type Letterboxed } from './letterbox.js';
import { toNhwc, type Normalization } from './tensor.js';

// Halve while the shrink left is above this. Measured on the shared photos: at 2, BlazeFace's 256
// canvas came out too soft (t1.jpg: 5 of 6 faces); at 4 or without halving YuNet 640 saw a
// ghost on obama_and_biden.jpg (a 3.1x shrink); 2.5 and 3 counted both right.
const HALVE_ABOVE = 2.5;

export interface LetterboxedTensor extends Omit<Letterboxed, 'data'> {
  /** [1, 3, height, width] (nchw) or [1, height, width, 3] (nhwc) floats. */
  data: Float32Array;
}

/** `image` fitted into a width x height canvas (as letterbox does) and normalised into a model tensor. */
export async function letterboxTensor(
  image: RgbImage, width: number, height: number, border: number, norm: Normalization, layout: 'nchw' | 'nhwc' = 'nchw',
): Promise<LetterboxedTensor> {
  const g = letterboxGeometry(image.width, image.height, width, height, border);
  // Canvas pixel centre (u + 0.5) -> source pixel centre: x = (u + 0.5 - offsetX) / scaleX - 0.5.
  const inverse = Float64Array.of(
    1 / g.scaleX, 0, (0.5 - g.offsetX) / g.scaleX - 0.5,
    0, 1 / g.scaleY, (0.5 - g.offsetY) / g.scaleY - 0.5,
  );
  let source: RgbImage = image;
  while (inverse[0]! > HALVE_ABOVE && inverse[4]! > HALVE_ABOVE && source.width >= 2 && source.height >= 2) {
    source = await halve(source);
    // Halved pixel x' covers pixels 2x' and 2x' + 1: x = 2x' + 0.5, so x' = (x - 0.5) / 2.
    for (const r of [0, 3]) {
      inverse[r] = inverse[r]! / 2;
      inverse[r + 1] = inverse[r + 1]! / 2;
      inverse[r + 2] = (inverse[r + 2]! - 0.5) / 2;
    }
  }
  if (layout === 'nhwc') {
    const bytes = await warpInverseAsync(source, inverse, { width, height, output: 'uint8' }) as Uint8Array;
    return { ...g, data: toNhwc(bytes, width, height, norm) };
  }
  // The warp takes mean / std per output channel, i.e. in the model's channel order.
  const inOrder = (rgb: readonly number[]) => (norm.order === 'rgb' ? [...rgb] : [...rgb].reverse());
  const data = await warpInverseAsync(source, inverse, {
    width, height, output: 'float32-nchw', channelOrder: norm.order, mean: inOrder(norm.mean), std: inOrder(norm.std),
  }) as Float32Array;
  return { ...g, data };
}

// Half size (odd last row / column dropped): each pixel the mean of a 2x2 block.
async function halve(image: RgbImage): Promise<RgbImage> {
  const width = image.width >> 1, height = image.height >> 1;
  const data = await warpInverseAsync(image, Float64Array.of(2, 0, 0.5, 0, 2, 0.5), { width, height, output: 'uint8' }) as Uint8Array;
  return { data, width, height, channels: 3 };
}
