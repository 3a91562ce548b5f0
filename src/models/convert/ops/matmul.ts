// MatMul, _FusedMatMul (-> Gemm when 2-D) and BatchMatMul.
import { transposeHost } from '../host-tensor.js';
import { attr, type ConvertContext, type Value } from '../context.js';
import { applyActivation, readFusedOps, type FusedActivation } from './activation.js';
import type { OpConverter } from './types.js';

function swapLast(ctx: ConvertContext, name: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.emit('Transpose', [name], [attr.ints('perm', perm)]);
}

function matmul(fused: boolean): OpConverter {
  return (ctx, node, inputs) => {
    const [a, b] = inputs;
    const transA = ctx.attrBool(node, 'transpose_a');
    const transB = ctx.attrBool(node, 'transpose_b');
    if (a.shape.length !== 2 || b.shape.length !== 2) ctx.fail(`MatMul needs 2-D inputs, got ranks ${a.shape.length} and ${b.shape.length}`);
    let bias: Value | undefined;
    let act: FusedActivation = { kind: '' };
    if (fused) ({ bias, act } = readFusedOps(ctx, inputs, 2));
    const m = transA ? a.shape[1] : a.shape[0];
    const n = transB ? b.shape[0] : b.shape[1];
    // Constant weights are stored already transposed, so onnxruntime sees a plain Gemm.
    const bName = b.host && transB ? ctx.initializer(transposeHost(b.host, [1, 0]), `${node.name}/weight`) : ctx.asTf(b);
    const gemmInputs = [ctx.asTf(a), bName];
    if (bias) gemmInputs.push(ctx.asTf(bias));
    let out = ctx.emit('Gemm', gemmInputs, [attr.int('transA', transA ? 1 : 0), attr.int('transB', transB && !b.host ? 1 : 0)]);
    out = applyActivation(ctx, out, act, 'tf');
    return [{ dtype: a.dtype, shape: [m, n], tf: out }];
  };
}

const batchMatMul: OpConverter = (ctx, node, [a, b]) => {
  const adjX = ctx.attrBool(node, 'adj_x');
  const adjY = ctx.attrBool(node, 'adj_y');
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) ctx.fail('BatchMatMul needs inputs of rank 2 or more');
  const aName = adjX ? swapLast(ctx, ctx.asTf(a), ra) : ctx.asTf(a);
  const bName = adjY ? swapLast(ctx, ctx.asTf(b), rb) : ctx.asTf(b);
  const rows = adjX ? a.shape[ra - 1] : a.shape[ra - 2];
  const cols = adjY ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = a.shape.slice(0, -2).length >= b.shape.slice(0, -2).length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  return [{ dtype: a.dtype, shape: [...batch, rows, cols], tf: ctx.emit('MatMul', [aName, bName]) }];
};

export const matmulOps: Record<string, OpConverter> = {
  MatMul: matmul(false),
  _FusedMatMul: matmul(true),
  BatchMatMul: batchMatMul,
  BatchMatMulV2: batchMatMul,
};
