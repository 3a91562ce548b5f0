// Reductions and softmax. A reduction of an NCHW tensor reduces the matching NCHW axes; its
// result stays NCHW with keep_dims, and is in TensorFlow order without it whenever the kept
// axes keep their relative order (e.g. a global average pool, Mean over [1, 2] -> [N, C]).
import { hostToNumbers } from '../host-tensor.js';
import { attr, NHWC_AXIS_IN_NCHW, type ConvertContext, type Value } from '../context.js';
import type { OpConverter } from './types.js';

function reduce(opType: string): OpConverter {
  return (ctx, node, [x, axesValue]) => {
    const rank = x.shape.length;
    const axes = [...new Set(hostToNumbers(ctx.hostOf(axesValue, 'axes')).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    if (axes.some((a) => a < 0 || a >= rank)) ctx.fail(`axes [${axes.join(', ')}] out of range for rank ${rank}`);
    const keepDims = ctx.attrBool(node, 'keep_dims');
    if (axes.length === 0) return [x];
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    let nchw = ctx.isNchw(x);
    const keptInNchwOrder = [0, 3, 1, 2].filter((a) => !axes.includes(a));
    const keptSorted = keptInNchwOrder.every((a, i) => i === 0 || keptInNchwOrder[i - 1] < a);
    if (nchw && !keepDims && !keptSorted) nchw = false;
    const input = nchw ? ctx.asNchw(x) : ctx.asTf(x);
    const onnxAxes = nchw ? axes.map((a) => NHWC_AXIS_IN_NCHW[a]).sort((a, b) => a - b) : axes;
    const keep = attr.int('keepdims', keepDims ? 1 : 0);
    // Opset 13: ReduceSum takes axes as an input, the others as an attribute.
    const out = opType === 'ReduceSum' ? ctx.emit(opType, [input, ctx.int64s(onnxAxes)], [keep]) : ctx.emit(opType, [input], [attr.ints('axes', onnxAxes), keep]);
    if (nchw && keepDims) return [{ dtype: x.dtype, shape, nchw: out }];
    return [{ dtype: x.dtype, shape, tf: out }];
  };
}

const softmax: OpConverter = (ctx: ConvertContext, _node, [x]) => {
  // TensorFlow normalises over the last axis, which is axis 1 of an NCHW tensor.
  if (ctx.isNchw(x)) return [{ dtype: x.dtype, shape: x.shape, nchw: ctx.emit('Softmax', [ctx.asNchw(x)], [attr.int('axis', 1)]) }];
  return [{ dtype: x.dtype, shape: x.shape, tf: ctx.emit('Softmax', [ctx.asTf(x)], [attr.int('axis', -1)]) }];
};

const logSoftmax: OpConverter = (ctx, _node, [x]) => [{ dtype: x.dtype, shape: x.shape, tf: ctx.emit('LogSoftmax', [ctx.asTf(x)], [attr.int('axis', -1)]) }];

export const reduceOps: Record<string, OpConverter> = {
  Sum: reduce('ReduceSum'),
  Mean: reduce('ReduceMean'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'),
  Softmax: softmax,
  LogSoftmax: logSoftmax,
};
