// Pooling, padding, resizing and depth-to-space: ops on NHWC images that run in NCHW.
import { hostToNumbers } from '../host-tensor.js';
import { attr, type ConvertContext, type Value } from '../context.js';
import { nchwResult } from './conv.js';
import { windowPadding } from './padding.js';
import type { OpConverter } from './types.js';

function checkNhwc(ctx: ConvertContext, x: Value): void {
  const format = ctx.attrString(ctx.current!, 'data_format', 'NHWC');
  if (format !== 'NHWC') ctx.fail(`unsupported data_format '${format}' (NHWC only)`);
  if (x.shape.length !== 4) ctx.fail(`input must be 4-D, got rank ${x.shape.length}`);
}

function pool(opType: 'MaxPool' | 'AveragePool'): OpConverter {
  return (ctx, node, [x]) => {
    checkNhwc(ctx, x);
    const ksize = ctx.attrInts(node, 'ksize');
    const strides = ctx.attrInts(node, 'strides');
    if (ksize.length !== 4 || ksize[0] !== 1 || ksize[3] !== 1) ctx.fail(`unsupported ksize [${ksize.join(', ')}]`);
    if (strides.length !== 4 || strides[0] !== 1 || strides[3] !== 1) ctx.fail(`unsupported strides [${strides.join(', ')}]`);
    const padding = ctx.attrString(node, 'padding');
    if (padding !== 'SAME' && padding !== 'VALID') ctx.fail(`unsupported padding '${padding}'`);
    const pad = windowPadding(ctx, padding, x.shape[1], x.shape[2], [ksize[1], ksize[2]], [strides[1], strides[2]], [1, 1]);
    // TensorFlow's average ignores padded cells: ONNX count_include_pad = 0 (the default).
    const out = ctx.emit(opType, [ctx.asNchw(x)], [
      attr.ints('kernel_shape', [ksize[1], ksize[2]]),
      attr.ints('strides', [strides[1], strides[2]]),
      pad.pads ? attr.ints('pads', pad.pads) : attr.string('auto_pad', pad.autoPad!),
    ]);
    return [nchwResult(ctx, { dtype: x.dtype, shape: [x.shape[0], pad.outH, pad.outW, x.shape[3]] }, out)];
  };
}

function pad(mode: 'constant' | 'mirror'): OpConverter {
  return (ctx, node, inputs) => {
    const [x, paddingsValue] = inputs;
    const paddings = hostToNumbers(ctx.hostOf(paddingsValue, 'paddings'));
    const rank = x.shape.length;
    if (paddings.length !== 2 * rank) ctx.fail(`paddings must be [${rank}, 2], got ${paddings.length} values`);
    let onnxMode = 'constant';
    if (mode === 'mirror') {
      const m = ctx.attrString(node, 'mode');
      if (m !== 'REFLECT') ctx.fail(`MirrorPad mode '${m}' is not supported (REFLECT only)`);
      onnxMode = 'reflect';
    }
    const extra: string[] = [];
    if (inputs.length > 2) extra.push(ctx.asTf(inputs[2])); // PadV2 constant_values (a scalar)
    const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + paddings[2 * i] + paddings[2 * i + 1]));
    const nchw = ctx.isNchw(x);
    // ONNX pads: all begins, then all ends, in the tensor's own axis order.
    const order = nchw ? [0, 3, 1, 2] : Array.from({ length: rank }, (_, i) => i);
    const pads = [...order.map((a) => paddings[2 * a]), ...order.map((a) => paddings[2 * a + 1])];
    const out = ctx.emit('Pad', [nchw ? ctx.asNchw(x) : ctx.asTf(x), ctx.int64s(pads), ...extra], [attr.string('mode', onnxMode)]);
    return [nchw ? { dtype: x.dtype, shape, nchw: out } : { dtype: x.dtype, shape, tf: out }];
  };
}

const resizeBilinear: OpConverter = (ctx, node, [x, sizeValue]) => {
  if (x.shape.length !== 4) ctx.fail(`input must be 4-D, got rank ${x.shape.length}`);
  const [outH, outW] = hostToNumbers(ctx.hostOf(sizeValue, 'size'));
  const [inH, inW] = [x.shape[1], x.shape[2]];
  if (inH < 0 || inW < 0) ctx.fail('input height and width must be known at conversion time');
  const alignCorners = ctx.attrBool(node, 'align_corners');
  const halfPixel = ctx.attrBool(node, 'half_pixel_centers');
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const input = ctx.asNchw(x);
  // Output sizes, not scales: onnxruntime floors in * scale, and 5 * float32(9 / 5) < 9.
  const [n, c] = [x.shape[0], x.shape[3]];
  const sizes =
    n >= 0 && c >= 0
      ? ctx.int64s([n, c, outH, outW])
      : ctx.emit('Concat', [ctx.emit('Slice', [ctx.emit('Shape', [input]), ctx.int64s([0]), ctx.int64s([2])]), ctx.int64s([outH, outW])], [attr.int('axis', 0)]);
  const roi = ctx.initializer({ dtype: 'float32', shape: [0], data: new Float32Array(0) }, `${node.name}/roi`);
  const scales = ctx.initializer({ dtype: 'float32', shape: [0], data: new Float32Array(0) }, `${node.name}/scales`);
  const out = ctx.emit('Resize', [input, roi, scales, sizes], [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', mode)]);
  return [nchwResult(ctx, { dtype: x.dtype, shape: [x.shape[0], outH, outW, x.shape[3]] }, out)];
};

const depthToSpace: OpConverter = (ctx, node, [x]) => {
  checkNhwc(ctx, x);
  const block = ctx.attrInt(node, 'block_size');
  // TensorFlow orders the moved depth as (row, column, channel): ONNX mode DCR.
  const out = ctx.emit('DepthToSpace', [ctx.asNchw(x)], [attr.int('blocksize', block), attr.string('mode', 'DCR')]);
  const [n, h, w, c] = x.shape;
  return [nchwResult(ctx, { dtype: x.dtype, shape: [n, h < 0 ? -1 : h * block, w < 0 ? -1 : w * block, c < 0 ? -1 : c / (block * block)] }, out)];
};

export const spatialOps: Record<string, OpConverter> = {
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  Pad: pad('constant'),
  PadV2: pad('constant'),
  MirrorPad: pad('mirror'),
  ResizeBilinear: resizeBilinear,
  DepthToSpace: depthToSpace,
};
