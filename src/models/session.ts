// One wrapper over onnxruntime-node's InferenceSession for every model in facecore.
//
// Threads: onnxruntime's intra-op pool is sized to the cores like our kernel pool, so two models
// running at once (or a model and a kernel) would oversubscribe the CPU. Every ModelSession
// therefore runs through one process-wide queue (one inference at a time), and its pool does not
// spin-wait between ops, so our kernels and sharp's decoder get the cores back as soon as a run ends.
//
// Event loop: since 1.17 onnxruntime-node's `run` executes on a worker thread and resolves a
// Promise (test/models/session.test.ts checks the loop keeps turning during a run).
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import { assertInteger, assertOneOf, assertOptionsObject, describe } from '../core/validate.js';
import { defaultThreads } from '../core/options.js';

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';
const OPTIMIZATIONS: readonly GraphOptimization[] = ['disabled', 'basic', 'extended', 'all'];

export interface SessionOptions {
  /** Intra-op threads (default: the machine's core count, like the kernel pool). */
  threads?: number;
  /** onnxruntime graph optimisation level (default 'all'). */
  optimization?: GraphOptimization;
}

/** A model input or output: its name and dimensions (a string or -1 where symbolic). */
export interface TensorInfo {
  name: string;
  dims: readonly (number | string)[];
}

export type Dims = readonly number[];

let live = 0;
/** How many sessions are open (created and not yet disposed): tests use it to find leaks. */
export function liveSessions(): number {
  return live;
}

// One inference at a time across the process (see the header comment).
let queue: Promise<unknown> = Promise.resolve();
function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const result = queue.then(job, job);
  queue = result.catch(() => undefined);
  return result;
}

function dimsOf(meta: ort.InferenceSession.ValueMetadata): (number | string)[] {
  return meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d || '?'))) : [];
}

export class ModelSession {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  #session: ort.InferenceSession | undefined;

  private constructor(readonly source: string, session: ort.InferenceSession) {
    this.#session = session;
    this.inputs = session.inputMetadata.map((m) => ({ name: m.name, dims: dimsOf(m) }));
    this.outputs = session.outputMetadata.map((m) => ({ name: m.name, dims: dimsOf(m) }));
  }

  /** Opens a model from a file path or the bytes of an .onnx file. */
  static async load(model: string | Uint8Array, options: SessionOptions = {}): Promise<ModelSession> {
    const opts = assertOptionsObject('options', options);
    const threads = opts.threads === undefined ? defaultThreads() : assertInteger('options.threads', opts.threads, 1, 1024);
    const optimization = assertOneOf('options.optimization', opts.optimization ?? 'all', OPTIMIZATIONS);
    let source: string;
    if (typeof model === 'string') {
      source = model;
      if (!fs.existsSync(model)) throw new Error(`model: file not found: '${model}'`);
      if (fs.statSync(model).isDirectory()) throw new TypeError(`model: expected an .onnx file, got the directory '${model}'`);
    } else if (model instanceof Uint8Array) {
      source = `<${model.byteLength} bytes>`;
      if (model.byteLength === 0) throw new RangeError('model: expected the bytes of an .onnx file, got an empty buffer');
    } else {
      throw new TypeError(`model: expected a path or the bytes of an .onnx file, got ${describe(model)}`);
    }
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: optimization,
      logSeverityLevel: 3,
      // Idle pool threads sleep instead of spinning: they would steal the cores from our kernels.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    let session: ort.InferenceSession;
    try {
      session = typeof model === 'string'
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
    } catch (err) {
      throw new Error(`model ${source}: onnxruntime could not load it (not a valid ONNX model?): ${(err as Error).message}`);
    }
    live++;
    return new ModelSession(source, session);
  }

  get disposed(): boolean {
    return this.#session === undefined;
  }

  /**
   * Runs the model on one float32 input (the first input unless `inputName` says otherwise) and
   * returns every output in the model's output order. Outputs are copied out of onnxruntime's
   * buffers by onnxruntime-node already, so callers own them.
   */
  async run(data: Float32Array, dims: Dims, inputName = this.inputs[0]?.name): Promise<ort.Tensor[]> {
    const session = this.#session;
    if (session === undefined) throw new Error(`model ${this.source}: the session was disposed`);
    const tensor = new ort.Tensor('float32', data, dims as number[]);
    const out = await enqueue(() => session.run({ [inputName!]: tensor }));
    return this.outputs.map((o) => out[o.name] as ort.Tensor);
  }

  /** Runs once on zeros so the first real call does not pay for lazy initialisation. */
  async warmUp(dims: Dims): Promise<void> {
    await this.run(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }

  /** Frees onnxruntime's memory; later runs throw. Safe to call twice. */
  async dispose(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    live--;
    await session.release();
  }
}

/**
 * Checks that a model has one 4-D float input, and returns its fixed size where the dims say so
 * (NCHW: [n, 3, h, w]); throws a RangeError naming what came otherwise.
 */
export function imageInput(session: ModelSession, what: string): { batch: number | undefined; height: number | undefined; width: number | undefined } {
  const input = session.inputs[0];
  if (session.inputs.length !== 1 || input === undefined || input.dims.length !== 4 || (typeof input.dims[1] === 'number' && input.dims[1] !== 3)) {
    const got = session.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join('; ');
    throw new RangeError(`model ${session.source}: expected one NCHW image input [n, 3, h, w] for ${what}, got ${got || 'no inputs'}`);
  }
  const num = (d: number | string | undefined) => (typeof d === 'number' ? d : undefined);
  return { batch: num(input.dims[0]), height: num(input.dims[2]), width: num(input.dims[3]) };
}
