// TensorFlow's padding rules for windows (convolution and pooling) over one spatial axis.
// SAME: output = ceil(in / stride), total padding split with the extra element at the end
// (ONNX's SAME_UPPER). VALID: no padding. EXPLICIT: given per side.
import type { ConvertContext } from '../context.js';

export interface Padding2d {
  /** ONNX pads [top, left, bottom, right], or undefined when auto_pad must be used. */
  pads?: number[];
  autoPad?: 'SAME_UPPER';
  outH: number;
  outW: number;
}

function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

function sameAxis(size: number, k: number, stride: number, dilation: number): [number, number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(k, dilation) - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

function outSize(size: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((size + before + after - effectiveKernel(k, dilation)) / stride) + 1;
}

/**
 * @param padding the node's 'padding' attribute
 * @param explicit for EXPLICIT: [[top, bottom], [left, right]]
 * Sizes of -1 are unknown at conversion time; SAME then falls back to auto_pad.
 */
export function windowPadding(
  ctx: ConvertContext,
  padding: string,
  inH: number,
  inW: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  explicit?: [[number, number], [number, number]],
): Padding2d {
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  if (padding === 'VALID') {
    return {
      pads: [0, 0, 0, 0],
      outH: inH < 0 ? -1 : outSize(inH, kh, sh, dh, 0, 0),
      outW: inW < 0 ? -1 : outSize(inW, kw, sw, dw, 0, 0),
    };
  }
  if (padding === 'SAME') {
    if (inH < 0 || inW < 0) {
      return { autoPad: 'SAME_UPPER', outH: inH < 0 ? -1 : Math.ceil(inH / sh), outW: inW < 0 ? -1 : Math.ceil(inW / sw) };
    }
    const [t, b, oh] = sameAxis(inH, kh, sh, dh);
    const [l, r, ow] = sameAxis(inW, kw, sw, dw);
    return { pads: [t, l, b, r], outH: oh, outW: ow };
  }
  if (padding === 'EXPLICIT') {
    if (!explicit) return ctx.fail('EXPLICIT padding without explicit_paddings');
    const [[t, b], [l, r]] = explicit;
    return {
      pads: [t, l, b, r],
      outH: inH < 0 ? -1 : outSize(inH, kh, sh, dh, t, b),
      outW: inW < 0 ? -1 : outSize(inW, kw, sw, dw, l, r),
    };
  }
  return ctx.fail(`unsupported padding '${padding}'`);
}
