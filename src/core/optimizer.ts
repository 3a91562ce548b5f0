// In-place optimizer updates of weight rows (SGD with momentum, AdamW) by the native kernel on
// the thread pool: synchronously, or on a worker thread so a training loop keeps the event loop free.
import { native, type NativeOptimizerOptions } from '../native.js';
import { threadCount } from './options.js';
import { assertFloat32Array, assertInteger, assertNoOverlap, assertOneOf, assertOptionsObject, describe, finiteNumber } from './validate.js';

export type OptimizerKind = 'sgd' | 'adamw';

export interface OptimizerStepOptions {
  /** 'sgd': v = momentum v + g + wd w; w -= lr v (torch.optim.SGD). 'adamw': decoupled weight decay. */
  optimizer: OptimizerKind;
  /** Floats per row; weights holds whole rows. */
  rowLength: number;
  /** Row rows[a] of weights takes gradient row a (default: row a, every row). */
  rows?: Int32Array;
  /** sgd: the momentum buffer (omit for plain SGD); adamw: the first moment. As long as weights. */
  state0?: Float32Array;
  /** adamw: the second moment. As long as weights. */
  state1?: Float32Array;
  /** Learning rate, > 0. */
  lr: number;
  /** sgd: momentum in [0, 1] (default 0). */
  momentum?: number;
  /** Weight decay >= 0 (default 0). */
  weightDecay?: number;
  /** adamw: moment decay rates in [0, 1) (defaults 0.9, 0.999) and eps > 0 (default 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** The step's number, from 1: AdamW's bias correction. */
  step: number;
  threads?: number;
}

const KINDS: readonly OptimizerKind[] = ['sgd', 'adamw'];

function inRange(name: string, value: unknown, fallback: number | undefined, ok: (v: number) => boolean, want: string): number {
  if (value === undefined && fallback === undefined) throw new TypeError(`${name}: expected ${want}, got undefined`);
  const v = finiteNumber(name, value, fallback ?? 0);
  if (!ok(v)) throw new RangeError(`${name}: expected ${want}, got ${v}`);
  return v;
}

function optionalState(name: string, value: unknown, length: number, required: boolean): Float32Array | null {
  if (value === undefined && !required) return null;
  assertFloat32Array(name, value);
  if (value.length !== length) throw new RangeError(`${name}: expected ${length} elements (as weights), got ${value.length}`);
  return value;
}

function prepare(weights: unknown, grad: unknown, options: unknown): NativeOptimizerOptions {
  if (options === undefined) throw new TypeError('options: expected { optimizer, rowLength, lr, step, ... }, got undefined');
  const opts = assertOptionsObject('options', options);
  const kind = assertOneOf('options.optimizer', opts.optimizer, KINDS);
  assertFloat32Array('weights', weights);
  const rowLength = assertInteger('options.rowLength', opts.rowLength, 1, 2 ** 30);
  if (weights.length % rowLength !== 0) {
    throw new RangeError(`weights: expected a length that is a multiple of options.rowLength (${rowLength}), got ${weights.length}`);
  }
  let rows: Int32Array | null = null;
  if (opts.rows !== undefined) {
    if (!(opts.rows instanceof Int32Array)) throw new TypeError(`options.rows: expected an Int32Array, got ${describe(opts.rows)}`);
    rows = opts.rows;
  }
  const need = (rows ? rows.length : weights.length / rowLength) * rowLength;
  assertFloat32Array('grad', grad);
  if (grad.length !== need) throw new RangeError(`grad: expected ${need} elements (one row per updated row), got ${grad.length}`);
  const adam = kind === 'adamw';
  const state0 = optionalState('options.state0', opts.state0, weights.length, adam);
  const state1 = adam ? optionalState('options.state1', opts.state1, weights.length, true) : null;
  assertNoOverlap('weights', weights, { grad, 'options.rows': rows, 'options.state0': state0, 'options.state1': state1 });
  if (state0) assertNoOverlap('options.state0', state0, { grad, 'options.rows': rows, 'options.state1': state1 });
  if (state1) assertNoOverlap('options.state1', state1, { grad, 'options.rows': rows });
  const unit = (v: number) => v >= 0 && v < 1;
  return {
    weights, state0, state1, grad, rows, rowLength, kind: adam ? 1 : 0,
    lr: inRange('options.lr', opts.lr, undefined, (v) => v > 0, 'a number > 0'),
    momentum: inRange('options.momentum', opts.momentum, 0, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
    weightDecay: inRange('options.weightDecay', opts.weightDecay, 0, (v) => v >= 0, 'a number >= 0'),
    beta1: inRange('options.beta1', opts.beta1, 0.9, unit, 'a number in [0, 1)'),
    beta2: inRange('options.beta2', opts.beta2, 0.999, unit, 'a number in [0, 1)'),
    eps: inRange('options.eps', opts.eps, 1e-8, (v) => v > 0, 'a number > 0'),
    step: assertInteger('options.step', opts.step, 1),
    threads: threadCount(opts.threads),
  };
}

/** Updates `weights` (and the optimizer state) in place with `grad`. */
export function optimizerStep(weights: Float32Array, grad: Float32Array, options: OptimizerStepOptions): void {
  native.optimizerStep(prepare(weights, grad, options));
}

/** `optimizerStep` on a worker thread; do not touch weights, grad or the state until it settles. */
export async function optimizerStepAsync(weights: Float32Array, grad: Float32Array, options: OptimizerStepOptions): Promise<void> {
  await native.optimizerStepAsync(prepare(weights, grad, options));
}
