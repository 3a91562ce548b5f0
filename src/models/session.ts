// One wrapper over onnxruntime-node's InferenceSession for every model in facecore.
//
// Event loop: onnxruntime-node 1.30 runs a model synchronously on the calling thread (its
// Promise only defers the start), which froze the loop for the whole run (measured: one
// 217 ms gap during a 216 ms faceres run). Sessions therefore live on one inference thread
// (inference-thread.ts); the main thread only copies inputs there and outputs back.
//
// Threads: onnxruntime's intra-op pool is sized to the cores like our kernel pool. One inference
// thread means one model runs at a time, and the pool does not spin-wait between ops, so our
// kernels and sharp's decoder get the cores back as soon as a run ends.
import fs from 'node:fs';
import { assertInteger, assertOneOf, assertOptionsObject, describe } from '../core/validate.js';
import { defaultThreads } from '../core/options.js';
import { request, type OutputTensor, type ValueInfo } from './inference-thread.js';

export type { OutputTensor } from './inference-thread.js';

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
let inferenceMs = 0;
/** Milliseconds spent inside onnxruntime's run, over all sessions (benchmarks split model time from overhead with it). */
export function inferenceTime(): number {
  return inferenceMs;
}

/** How many sessions are open (created and not yet disposed): tests use it to find leaks. */
export function liveSessions(): number {
  return live;
}

let nextSession = 1;

function dimsOf(meta: ValueInfo): (number | string)[] {
  return meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d || '?'))) : [];
}

export class ModelSession {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  #id: number | undefined;

  private constructor(readonly source: string, id: number, info: { inputs: ValueInfo[]; outputs: ValueInfo[] }) {
    this.#id = id;
    this.inputs = info.inputs.map((m) => ({ name: m.name, dims: dimsOf(m) }));
    this.outputs = info.outputs.map((m) => ({ name: m.name, dims: dimsOf(m) }));
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
    const sessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: optimization,
      logSeverityLevel: 3,
      // Idle pool threads sleep instead of spinning: they would steal the cores from our kernels.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    const id = nextSession++;
    let info: { inputs: ValueInfo[]; outputs: ValueInfo[] };
    try {
      info = await request({ op: 'load', session: id, model, options: sessionOptions });
    } catch (err) {
      throw new Error(`model ${source}: onnxruntime could not load it (not a valid ONNX model?): ${(err as Error).message}`);
    }
    live++;
    return new ModelSession(source, id, info);
  }

  get disposed(): boolean {
    return this.#id === undefined;
  }

  /**
   * Runs the model on one float32 input (the first input unless `inputName` says otherwise) and
   * returns every output in the model's output order. `data` is copied to the inference thread
   * (the caller may reuse it at once), or with `transfer` handed over without a copy when it spans
   * its whole ArrayBuffer (then detached: the caller must not use it again); the outputs are the caller's.
   */
  async run(data: Float32Array, dims: Dims, inputName = this.inputs[0]?.name, transfer = false): Promise<OutputTensor[]> {
    const id = this.#id;
    if (id === undefined) throw new Error(`model ${this.source}: the session was disposed`);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new RangeError(`model ${this.source}: expected ${expected} input floats for [${dims.join(', ')}], got ${data.length}`);
    try {
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      const moved = transfer && whole ? [data.buffer as ArrayBuffer] : [];
      const { ms, outputs } = await request<{ ms: number; outputs: OutputTensor[] }>({ op: 'run', session: id, input: inputName, data, dims: [...dims] }, moved);
      inferenceMs += ms;
      return outputs;
    } catch (err) {
      throw new Error(`model ${this.source}: ${(err as Error).message}`);
    }
  }

  /** Runs once on zeros so the first real call does not pay for lazy initialisation. */
  async warmUp(dims: Dims): Promise<void> {
    await this.run(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }

  /** Frees onnxruntime's memory; later runs throw. Safe to call twice. */
  async dispose(): Promise<void> {
    const id = this.#id;
    if (id === undefined) return;
    this.#id = undefined;
    live--;
    await request({ op: 'release', session: id });
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
