// Element-wise ops. They work in whichever layout their operands already are: a 4-D tensor
// computed in NCHW stays NCHW, and lower-rank operands are broadcast to match.
import { attr, type ConvertContext, type Value } from '../context.js';
import type { TfDtype } from '../tfjs-model.js';
import { exactSigmoid, prelu } from './activation.js';
import type { OpConverter } from './types.js';

export function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === -1 ? y : x);
  }
  return out;
}

/** Emits an n-ary element-wise op with TensorFlow broadcasting. */
export function elementwise(ctx: ConvertContext, opType: string, operands: Value[], dtype: TfDtype, attributes = [] as ReturnType<typeof attr.int>[]): Value {
  const shape = operands.map((v) => v.shape).reduce(broadcastShape);
  const nchw = shape.length === 4 && operands.some((v) => ctx.isNchw(v));
  if (nchw) {
    const out = ctx.emit(opType, operands.map((v) => ctx.asNchwOperand(v)), attributes);
    return { dtype, shape, nchw: out };
  }
  return { dtype, shape, tf: ctx.emit(opType, operands.map((v) => ctx.asTf(v)), attributes) };
}

function binary(opType: string, resultType?: TfDtype): OpConverter {
  return (ctx, _node, inputs) => {
    if (inputs.length !== 2) ctx.fail(`expected 2 inputs, got ${inputs.length}`);
    return [elementwise(ctx, opType, inputs, resultType ?? inputs[0].dtype)];
  };
}

/** A chain of unary ONNX ops applied in the input's layout. */
function unary(...opTypes: string[]): OpConverter {
  return (ctx, _node, [x]) => {
    const nchw = ctx.isNchw(x);
    let name = nchw ? ctx.asNchw(x) : ctx.asTf(x);
    for (const op of opTypes) name = ctx.emit(op, [name]);
    return [nchw ? { dtype: x.dtype, shape: x.shape, nchw: name } : { dtype: x.dtype, shape: x.shape, tf: name }];
  };
}

function unaryWith(build: (ctx: ConvertContext, x: string, nchw: boolean) => string): OpConverter {
  return (ctx, _node, [x]) => {
    const nchw = ctx.isNchw(x);
    const name = build(ctx, nchw ? ctx.asNchw(x) : ctx.asTf(x), nchw);
    return [nchw ? { dtype: x.dtype, shape: x.shape, nchw: name } : { dtype: x.dtype, shape: x.shape, tf: name }];
  };
}

function scalar(ctx: ConvertContext, v: number): string {
  return ctx.initializer({ dtype: 'float32', shape: [], data: new Float32Array([v]) }, 'scalar');
}

export const elementwiseOps: Record<string, OpConverter> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  BiasAdd: (ctx, node, inputs) => {
    if (ctx.attrString(node, 'data_format', 'NHWC') !== 'NHWC') ctx.fail('BiasAdd supports data_format NHWC only');
    return [elementwise(ctx, 'Add', inputs, inputs[0].dtype)];
  },
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Div: (ctx, _node, inputs) => {
    if (inputs[0].dtype !== 'float32') ctx.fail('integer Div is not supported');
    return [elementwise(ctx, 'Div', inputs, 'float32')];
  },
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  SquaredDifference: (ctx, _node, inputs) => {
    const d = elementwise(ctx, 'Sub', inputs, inputs[0].dtype);
    return [elementwise(ctx, 'Mul', [d, d], d.dtype)];
  },
  FloorDiv: (ctx, _node, inputs) => {
    if (inputs[0].dtype !== 'float32') ctx.fail('integer FloorDiv is not supported');
    return unaryWith((c, x) => c.emit('Floor', [x]))(ctx, _node, [elementwise(ctx, 'Div', inputs, 'float32')]);
  },
  Greater: binary('Greater', 'bool'),
  GreaterEqual: binary('GreaterOrEqual', 'bool'),
  Less: binary('Less', 'bool'),
  LessEqual: binary('LessOrEqual', 'bool'),
  Equal: binary('Equal', 'bool'),
  LogicalAnd: binary('And', 'bool'),
  LogicalOr: binary('Or', 'bool'),
  AddN: (ctx, _node, inputs) => [inputs.length === 1 ? inputs[0] : elementwise(ctx, 'Sum', inputs, inputs[0].dtype)],
  SelectV2: (ctx, _node, inputs) => [elementwise(ctx, 'Where', inputs, inputs[1].dtype)],
  Select: (ctx, _node, inputs) => {
    if (inputs[0].shape.length !== inputs[1].shape.length) ctx.fail('Select with a vector condition is not supported');
    return [elementwise(ctx, 'Where', inputs, inputs[1].dtype)];
  },

  Relu: unary('Relu'),
  Sigmoid: unaryWith(exactSigmoid),
  Tanh: unary('Tanh'),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Rsqrt: unary('Sqrt', 'Reciprocal'),
  Reciprocal: unary('Reciprocal'),
  Inv: unary('Reciprocal'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Round: unary('Round'),
  Sign: unary('Sign'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Elu: unary('Elu'),
  Selu: unary('Selu'),
  Softplus: unary('Softplus'),
  LogicalNot: unary('Not'),
  Square: unaryWith((ctx, x) => ctx.emit('Mul', [x, x])),
  Relu6: unaryWith((ctx, x) => ctx.emit('Clip', [x, scalar(ctx, 0), scalar(ctx, 6)])),
  LeakyRelu: (ctx, node, inputs) => unaryWith((c, x) => c.emit('LeakyRelu', [x], [attr.float('alpha', c.attrFloat(node, 'alpha', 0.2))]))(ctx, node, inputs),
  Prelu: (ctx, _node, [x, alpha]) => {
    const nchw = ctx.isNchw(x);
    const out = nchw ? prelu(ctx, ctx.asNchw(x), ctx.asNchwOperand(alpha)) : prelu(ctx, ctx.asTf(x), ctx.asTf(alpha));
    return [nchw ? { dtype: x.dtype, shape: x.shape, nchw: out } : { dtype: x.dtype, shape: x.shape, tf: out }];
  },
};
