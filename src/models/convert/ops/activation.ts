// Activations fused into _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul.
import { attr, type ConvertContext, type Value } from '../context.js';

export interface FusedActivation {
  kind: string;
  prelu?: Value;
  leakyAlpha?: number;
}

/**
 * 1 / (1 + exp(-x)). onnxruntime's Sigmoid kernel is a rational approximation whose relative
 * error grows in the tails (0.016% at x = -9.4, 47% at x = -16), which shows in face scores
 * near 0; Exp is accurate to float precision there.
 */
export function exactSigmoid(ctx: ConvertContext, x: string): string {
  const one = ctx.initializer({ dtype: 'float32', shape: [], data: new Float32Array([1]) }, 'one');
  return ctx.emit('Reciprocal', [ctx.emit('Add', [ctx.emit('Exp', [ctx.emit('Neg', [x])]), one])]);
}

/**
 * PReLU as relu(x) + min(x, 0) * slope: the same values as ONNX PRelu (for x < 0 it adds +0 to
 * x * slope, for x >= 0 it adds a zero to x), but onnxruntime keeps these ops in its blocked
 * NCHWc layout more often, while PRelu forces a reorder out and back in around it. Measured
 * (interleaved A/B, loaded machine): Iris 1.4-2x and FaceMesh 1.2x faster, MobileFaceNet even.
 */
export function prelu(ctx: ConvertContext, x: string, slope: string): string {
  const zero = ctx.initializer({ dtype: 'float32', shape: [], data: new Float32Array([0]) }, 'zero');
  return ctx.emit('Add', [ctx.emit('Relu', [x]), ctx.emit('Mul', [ctx.emit('Min', [x, zero]), slope])]);
}

/** Applies an activation to an ONNX value laid out as NCHW ('nchw') or as TensorFlow has it ('tf'). */
export function applyActivation(ctx: ConvertContext, x: string, act: FusedActivation, layout: 'nchw' | 'tf'): string {
  switch (act.kind) {
    case '':
    case 'linear':
      return x;
    case 'relu':
      return ctx.emit('Relu', [x]);
    case 'relu6':
      return ctx.emit('Clip', [x, ctx.initializer({ dtype: 'float32', shape: [], data: new Float32Array([0]) }, 'relu6_min'), ctx.initializer({ dtype: 'float32', shape: [], data: new Float32Array([6]) }, 'relu6_max')]);
    case 'elu':
      return ctx.emit('Elu', [x], [attr.float('alpha', 1)]);
    case 'sigmoid':
      return exactSigmoid(ctx, x);
    case 'tanh':
      return ctx.emit('Tanh', [x]);
    case 'leakyrelu':
      return ctx.emit('LeakyRelu', [x], [attr.float('alpha', act.leakyAlpha ?? 0.2)]);
    case 'prelu': {
      if (!act.prelu) return ctx.fail('Prelu activation without an alpha input');
      const slope = layout === 'nchw' ? ctx.asNchwOperand(act.prelu) : ctx.asTf(act.prelu);
      return prelu(ctx, x, slope);
    }
    default:
      return ctx.fail(`unsupported fused activation '${act.kind}'`);
  }
}

/**
 * Reads fused_ops the way tfjs-converter does: [extraOp, activation], where extraOp must be
 * BiasAdd (then args are [bias, preluAlpha?]).
 */
export function readFusedOps(ctx: ConvertContext, inputs: Value[], firstArg: number): { bias?: Value; act: FusedActivation } {
  const node = ctx.current!;
  const ops = ctx.attrStrings(node, 'fused_ops').map((s) => s.toLowerCase());
  const [extra, activation = ''] = ops;
  if (ops.length > 2) ctx.fail(`unsupported fused_ops [${ops.join(', ')}]`);
  if (extra === 'fusedbatchnorm') ctx.fail('fused FusedBatchNorm is not supported (tfjs does not run it either)');
  if (extra !== 'biasadd') ctx.fail(`unsupported fused_ops [${ops.join(', ')}]: expected BiasAdd first`);
  const numArgs = ctx.attrInt(node, 'num_args', inputs.length - firstArg);
  const expected = activation === 'prelu' ? 2 : 1;
  if (numArgs !== expected || inputs.length < firstArg + expected) {
    ctx.fail(`fused_ops [${ops.join(', ')}] needs ${expected} extra argument(s), got ${numArgs}`);
  }
  return {
    bias: inputs[firstArg],
    act: { kind: activation, prelu: inputs[firstArg + 1], leakyAlpha: ctx.attrFloat(node, 'leakyrelu_alpha', 0.2) },
  };
}
