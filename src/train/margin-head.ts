// A classification head trained with a margin softmax loss over fixed embeddings: class
// weights W (classes * K sub-centres x dim), SGD with momentum or AdamW, a learning-rate
// schedule, optional Partial FC sampling; predicts by cosine to the class centres.
import { marginSoftmaxLoss, marginSoftmaxLossAsync, type MarginSoftmaxResult } from '../core/margin.js';
import { threadCount } from '../core/options.js';
import { topK } from '../core/topk.js';
import { optimizerStep, optimizerStepAsync, type OptimizerKind, type OptimizerStepOptions } from '../core/optimizer.js';
import { assertFloat32Array, assertInteger, assertOneOf, assertOptionsObject, describe, rowsOf } from '../core/validate.js';
import { readHeadFile, writeHeadFile } from './margin-head-file.js';
import { sampleClasses } from './partial-fc.js';

export type Optimizer = OptimizerKind;
export type Schedule = 'constant' | 'cosine' | 'poly';

export interface MarginHeadOptions {
  dim: number;
  classes: number;
  /** Sub-centres per class (default 1). */
  subcenters?: number;
  /** Margin: s (64), m1 (1), m2 (0.5), m3 (0): ArcFace by default. */
  s?: number;
  m1?: number;
  m2?: number;
  m3?: number;
  /** 'sgd' (default: momentum, coupled weight decay, as torch.optim.SGD) or 'adamw'. */
  optimizer?: Optimizer;
  /** Peak learning rate (default 0.1 for sgd, 0.001 for adamw). */
  lr?: number;
  momentum?: number;
  /** Default 5e-4 for sgd, 0.01 for adamw. */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** 'constant' (default), 'cosine' or 'poly' (power 2, as insightface), after a linear warm-up. */
  schedule?: Schedule;
  /** Steps of the schedule (required for 'cosine' and 'poly'). */
  totalSteps?: number;
  warmupSteps?: number;
  /** Partial FC: fraction of classes each step computes on (default 1: all). */
  sampleRate?: number;
  /** Seed of the initial weights and of the class sampling (default 0). */
  seed?: number;
  threads?: number;
  /** Initial weights (copied); default N(0, 0.01) from the seed. */
  weights?: Float32Array;
}

export interface StepResult {
  loss: number;
  accuracy: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Classes the step computed on. */
  activeClasses: number;
}

export interface Prediction {
  /** n x k class ids, best first (ties: lower class id). */
  classes: Int32Array;
  /** The matching cosines (max over sub-centres). */
  scores: Float32Array;
  k: number;
}

interface Config {
  dim: number; classes: number; subcenters: number; s: number; m1: number; m2: number; m3: number;
  optimizer: Optimizer; lr: number; momentum: number; weightDecay: number; beta1: number; beta2: number; eps: number;
  schedule: Schedule; totalSteps: number; warmupSteps: number; sampleRate: number; seed: number;
}

function num(name: string, value: unknown, fallback: number, min: number, max: number, open = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`options.${name}: expected a number, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < min || value > max || (open && value === min)) {
    throw new RangeError(`options.${name}: expected a number in ${open ? '(' : '['}${min}, ${max}], got ${value}`);
  }
  return value;
}

function configOf(options: unknown): Config {
  const o = assertOptionsObject('options', options);
  const optimizer = assertOneOf('options.optimizer', o.optimizer ?? 'sgd', ['sgd', 'adamw'] as const);
  const schedule = assertOneOf('options.schedule', o.schedule ?? 'constant', ['constant', 'cosine', 'poly'] as const);
  const sgd = optimizer === 'sgd';
  const c: Config = {
    dim: assertInteger('options.dim', o.dim, 1, 1 << 20),
    classes: assertInteger('options.classes', o.classes, 1, 2 ** 31 - 1),
    subcenters: assertInteger('options.subcenters', o.subcenters ?? 1, 1, 1024),
    s: num('s', o.s, 64, 0, 1e4, true),
    m1: num('m1', o.m1, 1, 0, 100, true),
    m2: num('m2', o.m2, 0.5, 0, Math.PI - 1e-9),
    m3: num('m3', o.m3, 0, -1, 1),
    optimizer,
    lr: num('lr', o.lr, sgd ? 0.1 : 1e-3, 0, 1e3, true),
    momentum: num('momentum', o.momentum, 0.9, 0, 1),
    weightDecay: num('weightDecay', o.weightDecay, sgd ? 5e-4 : 0.01, 0, 1),
    beta1: num('beta1', o.beta1, 0.9, 0, 0.99999),
    beta2: num('beta2', o.beta2, 0.999, 0, 0.99999),
    eps: num('eps', o.eps, 1e-8, 0, 1, true),
    schedule,
    totalSteps: o.totalSteps === undefined ? 0 : assertInteger('options.totalSteps', o.totalSteps, 0), // 0: none
    warmupSteps: o.warmupSteps === undefined ? 0 : assertInteger('options.warmupSteps', o.warmupSteps, 0),
    sampleRate: num('sampleRate', o.sampleRate, 1, 0, 1, true),
    seed: o.seed === undefined ? 0 : assertInteger('options.seed', o.seed, 0, 2 ** 32 - 1),
  };
  if (schedule !== 'constant' && c.totalSteps === 0) {
    throw new RangeError(`options.totalSteps: expected an integer >= 1 for schedule '${schedule}', got undefined`);
  }
  return c;
}

/** Normal(0, std) from a seed (Box-Muller over a splitmix32 stream). */
export function normalInit(n: number, seed: number, std: number): Float32Array {
  const out = new Float32Array(n);
  let state = (seed ^ 0x5bd1e995) >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (((z ^ (z >>> 16)) >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next())), a = 2 * Math.PI * next();
    out[i] = std * r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(a);
  }
  return out;
}

// Weight arrays `load` hands to the constructor to keep rather than copy (they can be gigabytes).
const adopted = new WeakSet<Float32Array>();

export class MarginHead {
  /** Class weights, classes * subcenters x dim, row c * K + k = centre k of class c. Updated in place. */
  readonly weights: Float32Array;
  private readonly config: Config;
  private readonly threads: number;
  private state: Float32Array[];
  private steps = 0;
  private gradW = new Float32Array(0);

  constructor(options: MarginHeadOptions) {
    this.config = configOf(options);
    const { dim, classes, subcenters, seed } = this.config;
    const n = classes * subcenters * dim;
    this.threads = threadCount((options as { threads?: unknown }).threads);
    if (options.weights !== undefined) {
      assertFloat32Array('options.weights', options.weights);
      if (options.weights.length !== n) {
        throw new RangeError(`options.weights: expected classes * subcenters * dim = ${n} elements, got ${options.weights.length}`);
      }
      this.weights = adopted.delete(options.weights) ? options.weights : options.weights.slice();
    } else {
      this.weights = normalInit(n, seed, 0.01);
    }
    const blocks = this.config.optimizer === 'adamw' ? 2 : this.config.momentum > 0 ? 1 : 0;
    this.state = Array.from({ length: blocks }, () => new Float32Array(n));
  }

  get dim(): number { return this.config.dim; }
  get classes(): number { return this.config.classes; }
  get subcenters(): number { return this.config.subcenters; }
  /** Steps taken so far. */
  get stepCount(): number { return this.steps; }

  /** Learning rate of step t (0-based): linear warm-up, then the schedule. */
  learningRate(t = this.steps): number {
    const { lr, schedule, totalSteps, warmupSteps } = this.config;
    if (t < warmupSteps) return (lr * (t + 1)) / warmupSteps;
    if (schedule === 'constant') return lr;
    const span = Math.max(1, totalSteps - warmupSteps);
    const progress = Math.min(1, (t - warmupSteps) / span);
    return schedule === 'cosine' ? 0.5 * lr * (1 + Math.cos(Math.PI * progress)) : lr * (1 - progress) ** 2;
  }

  private lossOptions(active?: Int32Array) {
    const { dim, classes, subcenters, s, m1, m2, m3 } = this.config;
    return { dim, classes, subcenters, s, m1, m2, m3, activeClasses: active, threads: this.threads };
  }

  private plan(x: Float32Array, labels: Int32Array) {
    rowsOf('x', x, this.config.dim);
    if (!(labels instanceof Int32Array)) throw new TypeError(`labels: expected an Int32Array, got ${describe(labels)}`);
    const { classes, subcenters, dim, sampleRate, seed } = this.config;
    let active: Int32Array | undefined;
    let y = labels;
    if (sampleRate < 1) {
      const sampled = sampleClasses(labels, classes, sampleRate, (seed + this.steps) >>> 0);
      active = sampled.activeClasses;
      y = sampled.labels;
    }
    const need = (active ? active.length : classes) * subcenters * dim;
    if (this.gradW.length < need) this.gradW = new Float32Array(need);
    const options = { ...this.lossOptions(active), inputGradient: false, out: { gradW: this.gradW.subarray(0, need) } };
    return { active, y, options };
  }

  /** One optimisation step on a batch (x: n x dim, labels in [0, classes) or -1 to ignore). */
  step(x: Float32Array, labels: Int32Array): StepResult {
    const { active, y, options } = this.plan(x, labels);
    const r = marginSoftmaxLoss(x, this.weights, y, options);
    const update = this.update(active);
    optimizerStep(this.weights, r.gradW, update);
    return this.finish(r, update);
  }

  /** `step` with the loss and the update off the main thread (do not overlap two steps of one head). */
  async stepAsync(x: Float32Array, labels: Int32Array): Promise<StepResult> {
    const { active, y, options } = this.plan(x, labels);
    const r = await marginSoftmaxLossAsync(x, this.weights, y, options);
    const update = this.update(active);
    await optimizerStepAsync(this.weights, r.gradW, update);
    return this.finish(r, update);
  }

  /** Loss and accuracy on a batch, without updating anything. */
  evaluate(x: Float32Array, labels: Int32Array): { loss: number; accuracy: number } {
    const r = marginSoftmaxLoss(x, this.weights, labels, { ...this.lossOptions(), gradients: false });
    return { loss: r.loss, accuracy: r.accuracy };
  }

  // The update of the rows the gradient covers: every row, or those of the active classes
  // (Partial FC: class a of the gradient is class active[a], whose K rows are contiguous in W;
  // the other rows and their optimizer state are left untouched this step).
  private update(active?: Int32Array): OptimizerStepOptions {
    const { dim, subcenters, optimizer, momentum, weightDecay, beta1, beta2, eps } = this.config;
    return {
      optimizer, rowLength: subcenters * dim, rows: active, state0: this.state[0], state1: this.state[1],
      lr: this.learningRate(), momentum, weightDecay, beta1, beta2, eps, step: this.steps + 1, threads: this.threads,
    };
  }

  private finish(r: MarginSoftmaxResult, update: OptimizerStepOptions): StepResult {
    this.steps++;
    const activeClasses = update.rows ? update.rows.length : this.config.classes;
    return { loss: r.loss, accuracy: r.accuracy, lr: update.lr, activeClasses };
  }

  /** The k classes (k <= classes) of highest cosine for each row of x, best first. */
  predict(x: Float32Array, k = 1): Prediction {
    const { dim, classes, subcenters } = this.config;
    const n = rowsOf('x', x, dim);
    assertInteger('k', k, 1, 2 ** 31 - 1);
    const kk = Math.min(k, classes);
    // The best kk * K centres always hold kk distinct classes; the first hit of a class is its max.
    const hits = topK(x, this.weights, dim, kk * subcenters, { threads: this.threads });
    const out: Prediction = { classes: new Int32Array(n * kk), scores: new Float32Array(n * kk), k: kk };
    for (let i = 0; i < n; i++) {
      let found = 0;
      for (let r = 0; r < hits.k && found < kk; r++) {
        const c = Math.floor(hits.indices[i * hits.k + r] / subcenters);
        let seen = false;
        for (let f = 0; f < found; f++) if (out.classes[i * kk + f] === c) seen = true;
        if (seen) continue;
        out.classes[i * kk + found] = c;
        out.scores[i * kk + found] = hits.scores[i * hits.k + r];
        found++;
      }
    }
    return out;
  }

  /** Writes weights, settings and optimizer state atomically (temp file, fsync, rename). */
  async save(file: string): Promise<void> {
    if (typeof file !== 'string') throw new TypeError(`path: expected a string, got ${describe(file)}`);
    const header = { ...this.config, steps: this.steps, stateBlocks: this.state.length };
    await writeHeadFile(file, { header, blocks: [this.weights, ...this.state] });
  }

  /** Reads a head written by `save`; training resumes where it stopped. */
  static async load(file: string, options?: { threads?: number }): Promise<MarginHead> {
    if (typeof file !== 'string') throw new TypeError(`path: expected a string, got ${describe(file)}`);
    const { header, blocks } = await readHeadFile(file, (h) => {
      const c = configOf({ ...h, steps: undefined, stateBlocks: undefined });
      const blocksCount = assertInteger('stateBlocks', h.stateBlocks, 0, 2);
      return Array.from({ length: 1 + blocksCount }, () => c.classes * c.subcenters * c.dim);
    });
    const { steps, stateBlocks: _, ...config } = header;
    adopted.add(blocks[0]);
    const head = new MarginHead({ ...(config as unknown as MarginHeadOptions), weights: blocks[0], threads: options?.threads });
    if (head.state.length !== blocks.length - 1) throw new RangeError(`${file}: optimizer state does not match its settings`);
    head.state = blocks.slice(1);
    head.steps = assertInteger('steps', steps, 0);
    return head;
  }
}
