// Shape manipulation: Reshape, Squeeze, ExpandDims, ConcatV2, Pack, Unpack, StridedSlice,
// Shape, Transpose, Gather, Tile, Fill, Range, Cast, Identity. They work in TensorFlow's
// layout except where an NCHW tensor can be handled without a transpose.
import { castHost, hostToNumbers, numElements } from '../host-tensor.js';
import { attr, NHWC_AXIS_IN_NCHW, onnxType, type ConvertContext, type Value } from '../context.js';
import type { TfDtype } from '../tfjs-model.js';
import type { OpConverter } from './types.js';

/** Any int tensor as an ONNX int64 value (ONNX wants int64 shapes, axes and repeats). */
function asInt64(ctx: ConvertContext, v: Value, what: string): string {
  if (v.host) return ctx.int64s(hostToNumbers(v.host), v.host.shape.length === 0);
  if (v.dtype !== 'int32' && v.dtype !== 'int64') ctx.fail(`${what} must be an integer tensor`);
  return v.dtype === 'int64' ? ctx.asTf(v) : ctx.emit('Cast', [ctx.asTf(v)], [attr.int('to', onnxType('int64'))]);
}

function normAxis(ctx: ConvertContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

const reshape: OpConverter = (ctx, _node, [x, shapeValue]) => {
  let shape: number[];
  if (shapeValue.host) {
    shape = hostToNumbers(shapeValue.host);
    if (shape.includes(0)) ctx.fail('zero-size dimensions in a Reshape are not supported');
    const known = x.shape.every((d) => d >= 0);
    const minus = shape.indexOf(-1);
    if (minus >= 0 && known) {
      const rest = numElements(shape.filter((_, i) => i !== minus));
      shape[minus] = numElements(x.shape) / rest;
    }
    if (known && shape.every((d) => d >= 0) && numElements(shape) !== numElements(x.shape)) {
      ctx.fail(`cannot reshape [${x.shape.join(', ')}] to [${hostToNumbers(shapeValue.host).join(', ')}]`);
    }
  } else {
    if (shapeValue.shape.length !== 1 || shapeValue.shape[0] < 0) ctx.fail('the target shape must be a 1-D tensor of known length');
    shape = new Array<number>(shapeValue.shape[0]).fill(-1);
  }
  let target: string;
  if (ctx.dynamicBatch && shapeValue.host && shape[0] === 1 && x.shape[0] < 0) {
    // ONNX Reshape's 0 copies the input's dimension: here the batch.
    target = ctx.int64s([0, ...hostToNumbers(shapeValue.host).slice(1)]);
    shape[0] = -1;
  } else {
    target = asInt64(ctx, shapeValue, 'shape');
  }
  const out = ctx.emit('Reshape', [ctx.asTf(x), target]);
  return [{ dtype: x.dtype, shape, tf: out }];
};

const squeeze: OpConverter = (ctx, node, [x]) => {
  const rank = x.shape.length;
  let axes = ctx.attrInts(node, 'squeeze_dims', ctx.attrInts(node, 'axis', [])).map((a) => normAxis(ctx, a, rank));
  if (axes.length === 0) {
    if (x.shape.some((d) => d < 0)) ctx.fail('Squeeze without squeeze_dims needs a fully known input shape');
    axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  }
  for (const a of axes) if (x.shape[a] > 1) ctx.fail(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  // An NCHW [N, 1, 1, C] squeezed over H and W is [N, C] either way: skip the transpose.
  const kept = [0, 3, 1, 2].filter((a) => !axes.includes(a));
  if (ctx.isNchw(x) && kept.every((a, i) => i === 0 || kept[i - 1] < a)) {
    const onnxAxes = axes.map((a) => NHWC_AXIS_IN_NCHW[a]).sort((a, b) => a - b);
    return [{ dtype: x.dtype, shape, tf: ctx.emit('Squeeze', [ctx.asNchw(x), ctx.int64s(onnxAxes)]) }];
  }
  return [{ dtype: x.dtype, shape, tf: ctx.emit('Squeeze', [ctx.asTf(x), ctx.int64s(axes)]) }];
};

const expandDims: OpConverter = (ctx, _node, [x, axisValue]) => {
  const rank = x.shape.length;
  const [raw] = hostToNumbers(ctx.hostOf(axisValue, 'axis'));
  const axis = normAxis(ctx, raw, rank + 1);
  const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
  return [{ dtype: x.dtype, shape, tf: ctx.emit('Unsqueeze', [ctx.asTf(x), ctx.int64s([axis])]) }];
};

const concat: OpConverter = (ctx, _node, inputs) => {
  const values = inputs.slice(0, -1);
  const rank = values[0].shape.length;
  const axis = normAxis(ctx, hostToNumbers(ctx.hostOf(inputs[inputs.length - 1], 'axis'))[0], rank);
  const shape = values[0].shape.map((d, i) => (i === axis ? (values.some((v) => v.shape[i] < 0) ? -1 : values.reduce((s, v) => s + v.shape[i], 0)) : d));
  if (values.length === 1) return [values[0]];
  if (rank === 4 && values.some((v) => ctx.isNchw(v))) {
    const out = ctx.emit('Concat', values.map((v) => ctx.asNchw(v)), [attr.int('axis', NHWC_AXIS_IN_NCHW[axis])]);
    return [{ dtype: values[0].dtype, shape, nchw: out }];
  }
  return [{ dtype: values[0].dtype, shape, tf: ctx.emit('Concat', values.map((v) => ctx.asTf(v)), [attr.int('axis', axis)]) }];
};

const pack: OpConverter = (ctx, node, inputs) => {
  const rank = inputs[0].shape.length;
  const axis = normAxis(ctx, ctx.attrInt(node, 'axis', 0), rank + 1);
  const axes = ctx.int64s([axis]);
  const parts = inputs.map((v) => ctx.emit('Unsqueeze', [ctx.asTf(v), axes]));
  const shape = [...inputs[0].shape.slice(0, axis), inputs.length, ...inputs[0].shape.slice(axis)];
  const out = parts.length === 1 ? parts[0] : ctx.emit('Concat', parts, [attr.int('axis', axis)]);
  return [{ dtype: inputs[0].dtype, shape, tf: out }];
};

const unpack: OpConverter = (ctx, node, [x]) => {
  const rank = x.shape.length;
  const axis = normAxis(ctx, ctx.attrInt(node, 'axis', 0), rank);
  const num = ctx.attrInt(node, 'num', x.shape[axis]);
  if (num < 1) ctx.fail('Unpack needs a known number of outputs');
  const parts = ctx.emitMulti('Split', [ctx.asTf(x)], [attr.int('axis', axis)], num);
  const axes = ctx.int64s([axis]);
  const shape = x.shape.filter((_, i) => i !== axis);
  return parts.map((p) => ({ dtype: x.dtype, shape, tf: ctx.emit('Squeeze', [p, axes]) }));
};

/** Far beyond any dimension; ONNX Slice clamps it (ints above 2^53 would lose precision). */
const BIG = Number.MAX_SAFE_INTEGER;

function sliceLength(dim: number, b: number, e: number, s: number, beginMasked: boolean, endMasked: boolean): number {
  if (dim < 0) return -1;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const norm = (v: number) => (v < 0 ? v + dim : v);
  if (s > 0) {
    const start = beginMasked ? 0 : clamp(norm(b), 0, dim);
    const stop = endMasked ? dim : clamp(norm(e), 0, dim);
    return Math.max(0, Math.ceil((stop - start) / s));
  }
  const start = beginMasked ? dim - 1 : clamp(norm(b), -1, dim - 1);
  const stop = endMasked ? -1 : clamp(norm(e), -1, dim - 1);
  return Math.max(0, Math.ceil((start - stop) / -s));
}

const stridedSlice: OpConverter = (ctx, node, [x, beginV, endV, stridesV]) => {
  const begin = hostToNumbers(ctx.hostOf(beginV, 'begin'));
  const end = hostToNumbers(ctx.hostOf(endV, 'end'));
  const strides = hostToNumbers(ctx.hostOf(stridesV, 'strides'));
  if (begin.length !== end.length || begin.length !== strides.length) ctx.fail('begin, end and strides must have the same length');
  const bit = (name: string, i: number) => ((ctx.attrInt(node, name, 0) >> i) & 1) === 1;
  const rank = x.shape.length;
  const n = begin.length;
  const specsUsingDims = Array.from({ length: n }, (_, i) => i).filter((i) => !bit('new_axis_mask', i) && !bit('ellipsis_mask', i)).length;

  const starts: number[] = [];
  const ends: number[] = [];
  const axes: number[] = [];
  const steps: number[] = [];
  const shrink: number[] = [];
  const outShape: number[] = [];
  const newAxes: number[] = [];
  let dim = 0;
  const fullDim = () => {
    outShape.push(x.shape[dim]);
    dim++;
  };
  let sawEllipsis = false;
  for (let i = 0; i < n; i++) {
    if (bit('ellipsis_mask', i) && !sawEllipsis) {
      sawEllipsis = true;
      for (let k = 0; k < rank - specsUsingDims; k++) fullDim();
    } else if (bit('new_axis_mask', i)) {
      newAxes.push(outShape.length);
      outShape.push(1);
    } else if (bit('shrink_axis_mask', i)) {
      if (dim >= rank) ctx.fail('slice spec has more dimensions than the input');
      const b = begin[i];
      starts.push(b);
      ends.push(b === -1 ? BIG : b + 1);
      axes.push(dim);
      steps.push(1);
      shrink.push(dim);
      dim++;
    } else {
      if (dim >= rank) ctx.fail('slice spec has more dimensions than the input');
      const s = strides[i];
      if (s === 0) ctx.fail('stride 0 in StridedSlice');
      const bm = bit('begin_mask', i);
      const em = bit('end_mask', i);
      if (!(bm && em && s === 1)) {
        starts.push(bm ? (s > 0 ? 0 : BIG) : begin[i]);
        ends.push(em ? (s > 0 ? BIG : -BIG) : end[i]);
        axes.push(dim);
        steps.push(s);
      }
      outShape.push(sliceLength(x.shape[dim], begin[i], end[i], s, bm, em));
      dim++;
    }
  }
  while (dim < rank) fullDim();

  let out = ctx.asTf(x);
  if (axes.length > 0) out = ctx.emit('Slice', [out, ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(axes), ctx.int64s(steps)]);
  if (shrink.length > 0) out = ctx.emit('Squeeze', [out, ctx.int64s(shrink)]);
  if (newAxes.length > 0) out = ctx.emit('Unsqueeze', [out, ctx.int64s(newAxes)]);
  if (out === x.tf) out = ctx.emit('Identity', [out]);
  return [{ dtype: x.dtype, shape: outShape, tf: out }];
};

const shapeOp: OpConverter = (ctx, node, [x]) => {
  const outType = ctx.attrType(node, 'out_type') ?? 'int32';
  const rank = x.shape.length;
  if (x.shape.every((d) => d >= 0)) {
    const host = castHost({ dtype: 'int32', shape: [rank], data: Int32Array.from(x.shape) }, outType);
    return [{ dtype: outType, shape: [rank], host }];
  }
  // Read the shape from whichever layout exists, so no transpose is added just for this.
  let out = ctx.isNchw(x) ? ctx.emit('Gather', [ctx.emit('Shape', [ctx.asNchw(x)]), ctx.int64s(NHWC_AXIS_IN_NCHW)], [attr.int('axis', 0)]) : ctx.emit('Shape', [ctx.asTf(x)]);
  if (outType !== 'int64') out = ctx.emit('Cast', [out], [attr.int('to', onnxType(outType))]);
  return [{ dtype: outType, shape: [rank], tf: out }];
};

const transpose: OpConverter = (ctx, _node, [x, permValue]) => {
  const perm = hostToNumbers(ctx.hostOf(permValue, 'perm'));
  if (perm.length !== x.shape.length) ctx.fail(`perm has ${perm.length} entries for a rank-${x.shape.length} tensor`);
  const shape = perm.map((p) => x.shape[p]);
  if (ctx.isNchw(x)) {
    // tf_out[i] = tf_in[perm[i]] = nchw[NHWC_AXIS_IN_NCHW[perm[i]]].
    return [{ dtype: x.dtype, shape, tf: ctx.emit('Transpose', [ctx.asNchw(x)], [attr.ints('perm', perm.map((p) => NHWC_AXIS_IN_NCHW[p]))]) }];
  }
  return [{ dtype: x.dtype, shape, tf: ctx.emit('Transpose', [ctx.asTf(x)], [attr.ints('perm', perm)]) }];
};

const cast: OpConverter = (ctx, node, [x]) => {
  const to = ctx.attrType(node, 'DstT');
  if (!to) return ctx.fail('missing attribute DstT');
  if (x.host) return [{ dtype: to, shape: x.shape, host: castHost(x.host, to) }];
  const nchw = ctx.isNchw(x);
  const out = ctx.emit('Cast', [nchw ? ctx.asNchw(x) : ctx.asTf(x)], [attr.int('to', onnxType(to))]);
  return [nchw ? { dtype: to, shape: x.shape, nchw: out } : { dtype: to, shape: x.shape, tf: out }];
};

const gather: OpConverter = (ctx, node, [params, indices, axisValue]) => {
  if (ctx.attrInt(node, 'batch_dims', 0) !== 0) ctx.fail('batch_dims other than 0 is not supported');
  const axis = normAxis(ctx, axisValue ? hostToNumbers(ctx.hostOf(axisValue, 'axis'))[0] : 0, params.shape.length);
  const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
  return [{ dtype: params.dtype, shape, tf: ctx.emit('Gather', [ctx.asTf(params), ctx.asTf(indices)], [attr.int('axis', axis)]) }];
};

const tile: OpConverter = (ctx, _node, [x, multiples]) => {
  const reps = multiples.host ? hostToNumbers(multiples.host) : undefined;
  const shape = x.shape.map((d, i) => (reps && d >= 0 ? d * reps[i] : -1));
  return [{ dtype: x.dtype, shape, tf: ctx.emit('Tile', [ctx.asTf(x), asInt64(ctx, multiples, 'multiples')]) }];
};

const fill: OpConverter = (ctx, _node, [dims, value]) => {
  const shape = dims.host ? hostToNumbers(dims.host) : new Array<number>(Math.max(dims.shape[0], 0)).fill(-1);
  return [{ dtype: value.dtype, shape, tf: ctx.emit('Expand', [ctx.asTf(value), asInt64(ctx, dims, 'dims')]) }];
};

const range: OpConverter = (ctx, _node, [start, limit, delta]) => {
  const dtype: TfDtype = start.dtype;
  return [{ dtype, shape: [-1], tf: ctx.emit('Range', [ctx.asTf(start), ctx.asTf(limit), ctx.asTf(delta)]) }];
};

const zerosLike: OpConverter = (ctx, _node, [x]) => {
  const zero = { name: 'value', dataType: onnxType(x.dtype), dims: [1], rawData: new Uint8Array(x.dtype === 'bool' ? 1 : x.dtype === 'int64' ? 8 : 4) };
  const out = ctx.emit('ConstantOfShape', [ctx.emit('Shape', [ctx.asTf(x)])], [attr.tensor('value', zero)]);
  return [{ dtype: x.dtype, shape: x.shape, tf: out }];
};

const identity: OpConverter = (_ctx, _node, inputs) => [inputs[0]];

export const shapeOps: Record<string, OpConverter> = {
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: concat,
  Pack: pack,
  Unpack: unpack,
  StridedSlice: stridedSlice,
  Shape: shapeOp,
  Transpose: transpose,
  Cast: cast,
  GatherV2: gather,
  Gather: gather,
  Tile: tile,
  Fill: fill,
  Range: range,
  ZerosLike: zerosLike,
  Identity: identity,
  StopGradient: identity,
  Snapshot: identity,
};
