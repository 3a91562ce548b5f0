// Conv2D, DepthwiseConv2dNative and their fused forms -> ONNX Conv (NCHW, weights OIHW).
import { transposeHost } from '../host-tensor.js';
import { attr, type ConvertContext, type Value } from '../context.js';
import type { HostTensor } from '../tfjs-model.js';
import { applyActivation, readFusedOps, type FusedActivation } from './activation.js';
import { windowPadding } from './padding.js';
import type { OpConverter } from './types.js';

function convLike(depthwise: boolean, fused: boolean): OpConverter {
  return (ctx, node, inputs) => {
    const [x, filterValue] = inputs;
    // tfjs reads NCHW strides as if they were NHWC, so there is no reference to match: NHWC only.
    const format = ctx.attrString(node, 'data_format', 'NHWC');
    if (format !== 'NHWC') ctx.fail(`unsupported data_format '${format}' (NHWC only)`);
    if (x.shape.length !== 4) ctx.fail(`input must be 4-D, got rank ${x.shape.length}`);
    const filter = ctx.hostOf(filterValue, 'the filter');
    if (filter.shape.length !== 4) ctx.fail(`filter must be 4-D, got shape [${filter.shape.join(', ')}]`);
    const [kh, kw, filterIn, filterOut] = filter.shape;
    const [hAxis, wAxis, cAxis] = [1, 2, 3];
    const strides = ctx.attrInts(node, 'strides', [1, 1, 1, 1]);
    const dilations = ctx.attrInts(node, 'dilations', [1, 1, 1, 1]);
    if (strides.length !== 4 || strides[0] !== 1 || strides[cAxis] !== 1) ctx.fail(`unsupported strides [${strides.join(', ')}]`);
    if (dilations.length !== 4 || dilations[0] !== 1 || dilations[cAxis] !== 1) ctx.fail(`unsupported dilations [${dilations.join(', ')}]`);
    const channels = x.shape[cAxis];

    let weight: HostTensor;
    let group: number;
    let outChannels: number;
    if (depthwise) {
      // [kh, kw, C, mult] -> [C * mult, 1, kh, kw]; output channel c * mult + m as in TensorFlow.
      if (channels >= 0 && channels !== filterIn) ctx.fail(`filter expects ${filterIn} input channels, input has ${channels}`);
      const t = transposeHost(filter, [2, 3, 0, 1]);
      outChannels = filterIn * filterOut;
      weight = { ...t, shape: [outChannels, 1, kh, kw] };
      group = filterIn;
    } else {
      // [kh, kw, Cin, Cout] -> [Cout, Cin, kh, kw]. TensorFlow allows grouped convolutions
      // (Cin < C) but tfjs does not run them, so neither do we.
      if (channels >= 0 && channels !== filterIn) ctx.fail(`filter expects ${filterIn} input channels, input has ${channels}`);
      weight = transposeHost(filter, [3, 2, 0, 1]);
      outChannels = filterOut;
      group = 1;
    }

    const padding = ctx.attrString(node, 'padding');
    let explicit: [[number, number], [number, number]] | undefined;
    if (padding === 'EXPLICIT') {
      const p = ctx.attrInts(node, 'explicit_paddings');
      if (p.length !== 8) ctx.fail(`explicit_paddings must have 8 values, got ${p.length}`);
      explicit = [
        [p[2 * hAxis], p[2 * hAxis + 1]],
        [p[2 * wAxis], p[2 * wAxis + 1]],
      ];
    }
    const pad = windowPadding(ctx, padding, x.shape[hAxis], x.shape[wAxis], [kh, kw], [strides[hAxis], strides[wAxis]], [dilations[hAxis], dilations[wAxis]], explicit);

    let bias: Value | undefined;
    let act: FusedActivation = { kind: '' };
    if (fused) ({ bias, act } = readFusedOps(ctx, inputs, 2));

    const convInputs = [ctx.asNchw(x), ctx.initializer(weight, `${node.name}/weight`)];
    const biasIsVector = bias?.host !== undefined && bias.host.data.length === outChannels;
    if (bias && biasIsVector) convInputs.push(ctx.initializer({ ...bias.host!, shape: [outChannels] }, `${node.name}/bias`));
    const attributes = [
      attr.ints('kernel_shape', [kh, kw]),
      attr.ints('strides', [strides[hAxis], strides[wAxis]]),
      attr.ints('dilations', [dilations[hAxis], dilations[wAxis]]),
      attr.int('group', group),
      pad.pads ? attr.ints('pads', pad.pads) : attr.string('auto_pad', pad.autoPad!),
    ];
    let out = ctx.emit('Conv', convInputs, attributes);
    if (bias && !biasIsVector) out = ctx.emit('Add', [out, ctx.asNchwOperand(bias)]);
    out = applyActivation(ctx, out, act, 'nchw');

    const value: Value = { dtype: 'float32', shape: [x.shape[0], pad.outH, pad.outW, outChannels] };
    return [nchwResult(ctx, value, out)];
  };
}

/** Records an NCHW result; in 'transpose' mode it goes straight back to NHWC. */
export function nchwResult(ctx: ConvertContext, value: Value, nchwName: string): Value {
  if (ctx.layout === 'nchw') value.nchw = nchwName;
  else value.tf = ctx.emit('Transpose', [nchwName], [attr.ints('perm', [0, 2, 3, 1])]);
  return value;
}

export const convOps: Record<string, OpConverter> = {
  Conv2D: convLike(false, false),
  _FusedConv2D: convLike(false, true),
  DepthwiseConv2dNative: convLike(true, false),
  DepthwiseConv2d: convLike(true, false),
  FusedDepthwiseConv2dNative: convLike(true, true),
};
