// HWC 8-bit RGB -> NCHW float32 model input: value = (pixel - mean[c]) / std[c], channels in the
// model's order. Each model's mean / std / order is written where the model is defined.
export type ChannelOrder = 'rgb' | 'bgr';

export interface Normalization {
  /** Per channel, in RGB order, on the 0..255 scale. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  order: ChannelOrder;
}

/** Writes one image into `out` at `offset` (floats), as a [3, height, width] block. */
export function toNchw(
  rgb: Uint8Array, width: number, height: number, norm: Normalization,
  out: Float32Array = new Float32Array(3 * width * height), offset = 0,
): Float32Array {
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    const src = norm.order === 'rgb' ? c : 2 - c;
    const mean = norm.mean[src]!;
    const inv = 1 / norm.std[src]!;
    const base = offset + c * plane;
    for (let i = 0, j = src; i < plane; i++, j += 3) out[base + i] = (rgb[j]! - mean) * inv;
  }
  return out;
}

/** The same as toNchw but laid out [height, width, 3] (tfjs-converted models take NHWC). */
export function toNhwc(
  rgb: Uint8Array, width: number, height: number, norm: Normalization,
  out: Float32Array = new Float32Array(3 * width * height), offset = 0,
): Float32Array {
  const src = norm.order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const mean = src.map((c) => norm.mean[c]!);
  const inv = src.map((c) => 1 / norm.std[c]!);
  const n = width * height * 3;
  for (let i = 0; i < n; i += 3) {
    out[offset + i] = (rgb[i + src[0]!]! - mean[0]!) * inv[0]!;
    out[offset + i + 1] = (rgb[i + src[1]!]! - mean[1]!) * inv[1]!;
    out[offset + i + 2] = (rgb[i + src[2]!]! - mean[2]!) * inv[2]!;
  }
  return out;
}
