// Softmax cross-entropy with an angular margin (ArcFace, CosFace, combined margin, sub-centres,
// Partial FC): loss, accuracy and both gradients from one native call. See docs/margin.md.
import { native, type NativeMarginOptions } from '../native.js';
import { threadCount } from './options.js';
import { assertFloat32Array, assertInteger, assertNoOverlap, assertOptionsObject, describe, finiteNumber, rowsOf } from './validate.js';

export interface MarginSoftmaxOptions {
  /** Embedding dimension (columns of x and w). */
  dim: number;
  /** Number of classes C; w holds C * subcenters rows. */
  classes: number;
  /** Sub-centres K per class (default 1); row c * K + k of w is centre k of class c. */
  subcenters?: number;
  /** Logit scale (default 64). */
  s?: number;
  /** Multiplicative angular margin (default 1). */
  m1?: number;
  /** Additive angular margin (default 0.5: ArcFace). */
  m2?: number;
  /** Additive cosine margin (default 0). */
  m3?: number;
  /** Partial FC: compute only on these classes (distinct ids < classes); labels then index this list. */
  activeClasses?: Int32Array;
  /** Compute gradX and gradW (default true); false runs the forward pass only. */
  gradients?: boolean;
  /** Compute gradX (default true); false saves one of the three products when x is not trained. */
  inputGradient?: boolean;
  /** Write the gradients into these buffers (not overlapping x, w, labels or each other) instead of allocating new ones. */
  out?: { gradX?: Float32Array; gradW?: Float32Array };
  /** Threads for the kernel (default: the machine's cores). */
  threads?: number;
}

export interface MarginSoftmaxResult {
  /** Mean cross-entropy over the rows whose label is not -1 (0 when there are none). */
  loss: number;
  /** Fraction of counted rows whose highest-cosine class (no margin) is their label. */
  accuracy: number;
  /** Rows with a label other than -1. */
  counted: number;
  /** dL/dx, batch x dim (zeros for ignored rows); empty when gradients or inputGradient is false. */
  gradX: Float32Array;
  /** dL/dw, (active classes * K) x dim in the order of activeClasses (or C * K x dim); empty when gradients is false. */
  gradW: Float32Array;
}

/** Margin presets (s = 64): ArcFace (m2 = 0.5) and CosFace (m3 = 0.35). */
export const ARCFACE_MARGIN = Object.freeze({ s: 64, m1: 1, m2: 0.5, m3: 0 });
export const COSFACE_MARGIN = Object.freeze({ s: 64, m1: 1, m2: 0, m3: 0.35 });

function outBuffer(name: string, given: unknown, length: number): Float32Array {
  if (given === undefined) return new Float32Array(length);
  assertFloat32Array(name, given);
  if (given.length < length) {
    throw new RangeError(`${name}: expected a Float32Array of at least ${length} elements, got ${given.length}`);
  }
  return given.length === length ? given : given.subarray(0, length);
}

function prepare(x: unknown, w: unknown, labels: unknown, options: unknown) {
  if (options === undefined) throw new TypeError('options: expected an options object with dim and classes, got undefined');
  const opts = assertOptionsObject('options', options);
  const dim = assertInteger('options.dim', opts.dim, 1, 1 << 20);
  const classes = assertInteger('options.classes', opts.classes, 1, 2 ** 31 - 1);
  const K = assertInteger('options.subcenters', opts.subcenters ?? 1, 1, 1024);
  const batch = rowsOf('x', x, dim);
  assertFloat32Array('w', w);
  if (w.length !== classes * K * dim) {
    throw new RangeError(`w: expected classes * subcenters * dim = ${classes * K * dim} elements, got ${w.length}`);
  }
  if (!(labels instanceof Int32Array)) throw new TypeError(`labels: expected an Int32Array, got ${describe(labels)}`);
  if (labels.length !== batch) {
    throw new RangeError(`labels: expected one label per row of x (${batch}), got ${labels.length}`);
  }
  let active: Int32Array | null = null;
  if (opts.activeClasses !== undefined) {
    if (!(opts.activeClasses instanceof Int32Array)) {
      throw new TypeError(`options.activeClasses: expected an Int32Array, got ${describe(opts.activeClasses)}`);
    }
    active = opts.activeClasses;
  }
  const s = finiteNumber('options.s', opts.s, 64);
  if (s <= 0) throw new RangeError(`options.s: expected a number > 0, got ${s}`);
  const m1 = finiteNumber('options.m1', opts.m1, 1);
  if (m1 <= 0) throw new RangeError(`options.m1: expected a number > 0, got ${m1}`);
  const m2 = finiteNumber('options.m2', opts.m2, 0.5);
  if (m2 < 0 || m2 >= Math.PI) throw new RangeError(`options.m2: expected a number in [0, pi), got ${m2}`);
  const m3 = finiteNumber('options.m3', opts.m3, 0);
  if (opts.gradients !== undefined && typeof opts.gradients !== 'boolean') {
    throw new TypeError(`options.gradients: expected a boolean, got ${describe(opts.gradients)}`);
  }
  const grads = opts.gradients ?? true;
  if (opts.inputGradient !== undefined && typeof opts.inputGradient !== 'boolean') {
    throw new TypeError(`options.inputGradient: expected a boolean, got ${describe(opts.inputGradient)}`);
  }
  const wantX = grads && (opts.inputGradient ?? true);
  const out = assertOptionsObject('options.out', opts.out);
  const nCls = active ? active.length : classes;
  const gradX = wantX ? outBuffer('options.out.gradX', out.gradX, batch * dim) : new Float32Array(0);
  const gradW = grads ? outBuffer('options.out.gradW', out.gradW, nCls * K * dim) : new Float32Array(0);
  const inputs = { x: x as Float32Array, w, labels, 'options.activeClasses': active };
  if (wantX) assertNoOverlap('options.out.gradX', gradX, inputs);
  if (grads) assertNoOverlap('options.out.gradW', gradW, { ...inputs, 'options.out.gradX': wantX ? gradX : null });
  const stats = new Float64Array(3);
  const job: NativeMarginOptions = {
    x: x as Float32Array, w, dim, classes, subcenters: K, labels, activeClasses: active, s, m1, m2, m3,
    gradX: wantX ? gradX : null, gradW: grads ? gradW : null, stats, threads: threadCount(opts.threads),
  };
  const finish = (): MarginSoftmaxResult => ({ loss: stats[0], accuracy: stats[1], counted: stats[2], gradX, gradW });
  return { job, finish };
}

/**
 * Margin softmax loss of embeddings `x` (batch x dim) against class weights `w` (classes * K x dim)
 * for `labels` (-1 ignores a row): target logit s * (cos(m1 * theta + m2) - m3), others s * cos(theta).
 * Holds at most batch x (one tile of classes) logits at a time, so millions of classes work.
 */
export function marginSoftmaxLoss(
  x: Float32Array, w: Float32Array, labels: Int32Array, options: MarginSoftmaxOptions,
): MarginSoftmaxResult {
  const { job, finish } = prepare(x, w, labels, options);
  native.marginSoftmax(job);
  return finish();
}

/** `marginSoftmaxLoss` off the main thread. */
export async function marginSoftmaxLossAsync(
  x: Float32Array, w: Float32Array, labels: Int32Array, options: MarginSoftmaxOptions,
): Promise<MarginSoftmaxResult> {
  const { job, finish } = prepare(x, w, labels, options);
  await native.marginSoftmaxAsync(job);
  return finish();
}
