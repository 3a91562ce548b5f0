// Face recogniser: any ArcFace-style ONNX model (an aligned square face crop in, one embedding
// out), L2-normalised embeddings. Its conventions come, in this order of precedence, from:
//  1. the caller's options (inputSize, mean, std, order);
//  2. the registry, for models it knows by content hash (e.g. foamliu's MobileFaceNet wants
//     ImageNet normalisation, which no rule could guess);
//  3. insightface's model router (model_zoo/arcface_onnx.py): RGB; if the graph's first 8 nodes
//     include both a Sub and a Mul the model normalises itself (mean 0, std 1), otherwise
//     (x - 127.5) / 127.5. The input must be square, at least 112 and a multiple of 16.
// The input tensor itself (the warped, normalised crop) is made by src/align (alignFaces), so
// this file only runs the model and post-processes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { assertInteger, assertOneOf, assertOptionsObject, describe } from '../../core/validate.js';
import type { ChannelOrder, Normalization } from '../../image/tensor.js';
import { firstNodes } from '../onnx-graph.js';
import { knownRecognizer, type RecognizerEntry } from '../known-models.js';
import { ModelSession, type SessionOptions } from '../session.js';

export interface RecognizerOptions extends SessionOptions {
  /** Crop side in pixels (default: the model's input size). */
  inputSize?: number;
  /** Per-channel mean and std on the 0..255 scale, in RGB order (a number applies to all three). */
  mean?: number | readonly [number, number, number];
  std?: number | readonly [number, number, number];
  /** Channel order the model expects (default 'rgb'). */
  order?: ChannelOrder;
  /** Embed each face and its mirror image and average them (test-time augmentation; default false). */
  flip?: boolean;
  /** Output to read (default: the first, or the registry's choice). */
  output?: string;
  /** Cosine threshold for verify(): default the registry's calibrated one, if the model is known. */
  threshold?: number;
  /** Cosine threshold for grouping (clusterEmbeddings): default the registry's calibrated one, if known. */
  groupThreshold?: number;
  /** Faces per model run where the model's batch size is dynamic (default 32). */
  batchSize?: number;
  /** Registry id to report (set by the registry loader). */
  id?: string;
}

export interface Preprocessing extends Normalization {
  size: number;
  layout: 'nchw' | 'nhwc';
}

function triple(name: string, value: unknown): [number, number, number] {
  const arr = typeof value === 'number' ? [value, value, value] : value;
  if (!Array.isArray(arr) || arr.length !== 3 || arr.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new TypeError(`${name}: expected a finite number or three of them (R, G, B), got ${describe(value)}`);
  }
  return arr as [number, number, number];
}

/** Whether insightface's router would call the model self-normalising (Sub and Mul among the first 8 nodes). */
export function normalizesItself(bytes: Uint8Array): boolean {
  const nodes = firstNodes(bytes, 8);
  const has = (op: string, legacy: string) => nodes.some((n) => n.opType === op || n.name.startsWith(op) || n.name.startsWith(legacy));
  return has('Sub', '_minus') && has('Mul', '_mul');
}

/** Calibrated cosine thresholds (undefined for a model facecore does not know). */
export interface RecognizerThresholds {
  /** Same person or not, one pair at a time: 1 in 1000 different-person pairs scores at least this. */
  verify: number | undefined;
  /** Grouping many photos (clusterEmbeddings, average linkage): the best BCubed F on labelled photos. */
  group: number | undefined;
}

export class Recognizer {
  readonly id: string;
  readonly preprocessing: Preprocessing;
  readonly flip: boolean;
  readonly thresholds: Readonly<RecognizerThresholds>;
  readonly dim: number;
  readonly #outputIndex: number;
  /** The model's fixed batch size, if it has one (many exports are fixed at 1). */
  readonly #fixedBatch: number | undefined;
  /** Faces per run. */
  readonly #chunk: number;

  private constructor(readonly session: ModelSession, init: {
    id: string; preprocessing: Preprocessing; flip: boolean; thresholds: RecognizerThresholds; dim: number; outputIndex: number;
    fixedBatch: number | undefined; chunk: number;
  }) {
    this.id = init.id;
    this.preprocessing = init.preprocessing;
    this.flip = init.flip;
    this.thresholds = Object.freeze(init.thresholds);
    this.dim = init.dim;
    this.#outputIndex = init.outputIndex;
    this.#fixedBatch = init.fixedBatch;
    this.#chunk = init.chunk;
  }

  /** The verification threshold (thresholds.verify). */
  get threshold(): number | undefined {
    return this.thresholds.verify;
  }

  /** Loads a recogniser from an .onnx path or its bytes. */
  static async load(model: string | Uint8Array, options: RecognizerOptions = {}): Promise<Recognizer> {
    const opts = assertOptionsObject('options', options) as RecognizerOptions;
    let bytes: Uint8Array;
    if (typeof model === 'string') {
      if (!fs.existsSync(model)) throw new Error(`model: file not found: '${model}'`);
      bytes = await fs.promises.readFile(model);
    } else if (model instanceof Uint8Array) {
      bytes = model;
    } else {
      throw new TypeError(`model: expected a path or the bytes of an .onnx file, got ${describe(model)}`);
    }
    const known = knownRecognizer(crypto.createHash('sha256').update(bytes).digest('hex'));
    const session = await ModelSession.load(bytes, opts);
    try {
      return await Recognizer.fromSession(session, bytes, opts, known, typeof model === 'string' ? model : undefined);
    } catch (err) {
      await session.dispose();
      throw err;
    }
  }

  private static async fromSession(
    session: ModelSession, bytes: Uint8Array, opts: RecognizerOptions, known: RecognizerEntry | undefined, file: string | undefined,
  ): Promise<Recognizer> {
    const where = file ?? session.source;
    const input = session.inputs[0];
    const dims = input?.dims ?? [];
    const nchw = dims.length === 4 && dims[1] === 3;
    const nhwc = dims.length === 4 && dims[3] === 3 && dims[1] !== 3;
    if (session.inputs.length !== 1 || !(nchw || nhwc)) {
      const got = session.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join('; ');
      throw new RangeError(`model ${where}: expected one face-crop input [n, 3, size, size] (or NHWC), got ${got || 'no inputs'}`);
    }
    const h = nchw ? dims[2] : dims[1];
    const w = nchw ? dims[3] : dims[2];
    const size = opts.inputSize !== undefined ? assertInteger('options.inputSize', opts.inputSize, 16, 1024)
      : typeof h === 'number' ? h : known?.size ?? 112;
    if ((typeof h === 'number' && h !== size) || (typeof w === 'number' && w !== size)) {
      throw new RangeError(`model ${where}: expected a square input of ${size} pixels, got ${h}x${w}`);
    }
    if (known === undefined && opts.mean === undefined && (size < 112 || size % 16 !== 0)) {
      throw new RangeError(`model ${where}: an ArcFace-style input is square, >= 112 and a multiple of 16, got ${size}; pass options.mean/std/inputSize if the model is not one`);
    }
    let mean: [number, number, number];
    let std: [number, number, number];
    if (opts.mean !== undefined || opts.std !== undefined) {
      mean = triple('options.mean', opts.mean ?? 0);
      std = triple('options.std', opts.std ?? 1);
    } else if (known !== undefined) {
      mean = [...known.mean] as [number, number, number];
      std = [...known.std] as [number, number, number];
    } else if (normalizesItself(bytes)) {
      [mean, std] = [[0, 0, 0], [1, 1, 1]];
    } else {
      [mean, std] = [[127.5, 127.5, 127.5], [127.5, 127.5, 127.5]];
    }
    if (std.some((s) => s === 0)) throw new RangeError(`options.std: expected non-zero values, got ${std.join(', ')}`);
    const order = assertOneOf('options.order', opts.order ?? known?.order ?? 'rgb', ['rgb', 'bgr'] as const);
    const outputName = opts.output ?? known?.output;
    const outputIndex = outputName === undefined ? 0 : session.outputs.findIndex((o) => o.name === outputName);
    if (outputIndex < 0) throw new RangeError(`options.output: expected one of ${session.outputs.map((o) => `'${o.name}'`).join(', ')}, got '${outputName}'`);
    const outDims = session.outputs[outputIndex]!.dims;
    if (outDims.length !== 2) {
      throw new RangeError(`model ${where}: expected an embedding output [n, dim], got '${session.outputs[outputIndex]!.name}' [${outDims.join(', ')}]`);
    }
    const batchDim = dims[0];
    const fixedBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : undefined;
    const chunk = fixedBatch ?? (opts.batchSize !== undefined ? assertInteger('options.batchSize', opts.batchSize, 1, 4096) : 32);
    const flip = opts.flip ?? known?.flip ?? false;
    if (typeof flip !== 'boolean') throw new TypeError(`options.flip: expected a boolean, got ${describe(flip)}`);
    const asKnown = flip === (known?.flip ?? false);
    const thresholds = {
      verify: cosine('options.threshold', opts.threshold ?? (asKnown ? known?.threshold : known?.thresholdFlipped)),
      group: cosine('options.groupThreshold', opts.groupThreshold ?? (asKnown ? known?.groupThreshold : known?.groupThresholdFlipped)),
    };
    const preprocessing: Preprocessing = { size, mean, std, order, layout: nchw ? 'nchw' : 'nhwc' };
    // One warm-up run finds the embedding size (outputs may be symbolic) and pays lazy init.
    const probe = fixedBatch ?? 1;
    const outs = await session.run(new Float32Array(probe * 3 * size * size), nchw ? [probe, 3, size, size] : [probe, size, size, 3]);
    const dim = outs[outputIndex]!.data.length / probe;
    if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`model ${where}: expected an embedding output, got ${dim} value(s) from '${session.outputs[outputIndex]!.name}'`);
    const id = opts.id ?? known?.id ?? (file !== undefined ? file : 'onnx');
    return new Recognizer(session, { id, preprocessing, flip, thresholds, dim, outputIndex, fixedBatch, chunk });
  }

  /**
   * Embeds `count` aligned crops given as one NCHW float tensor [count, 3, size, size] normalised
   * per `preprocessing` (what alignFaces writes). Returns count x dim, each row L2-normalised.
   */
  async embed(crops: Float32Array, count: number): Promise<Float32Array> {
    const { size } = this.preprocessing;
    const per = 3 * size * size;
    if (!(crops instanceof Float32Array)) throw new TypeError(`crops: expected a Float32Array, got ${describe(crops)}`);
    assertInteger('count', count, 0);
    if (crops.length !== count * per) throw new RangeError(`crops: expected count*3*${size}*${size} = ${count * per} floats, got ${crops.length}`);
    const out = new Float32Array(count * this.dim);
    await this.runAll(crops, count, out);
    if (this.flip) {
      const mirrored = new Float32Array(crops.length);
      for (let f = 0; f < count * 3 * size; f++) {
        const row = f * size;
        for (let x = 0; x < size; x++) mirrored[row + x] = crops[row + size - 1 - x]!;
      }
      const second = new Float32Array(count * this.dim);
      await this.runAll(mirrored, count, second);
      for (let i = 0; i < out.length; i++) out[i]! += second[i]!;
    }
    for (let r = 0; r < count; r++) normalizeRow(out.subarray(r * this.dim, (r + 1) * this.dim));
    return out;
  }

  private async runAll(crops: Float32Array, count: number, out: Float32Array): Promise<void> {
    const { size, layout } = this.preprocessing;
    const per = 3 * size * size;
    for (let start = 0; start < count; start += this.#chunk) {
      const n = Math.min(this.#chunk, count - start);
      // A fixed-batch model needs exactly its batch: the last chunk is padded with zeros.
      const rows = this.#fixedBatch ?? n;
      let input = crops.subarray(start * per, (start + n) * per);
      if (rows !== n) {
        const padded = new Float32Array(rows * per);
        padded.set(input);
        input = padded;
      }
      if (layout === 'nhwc') input = toNhwc(input, rows, size);
      const dims = layout === 'nchw' ? [rows, 3, size, size] : [rows, size, size, 3];
      const result = (await this.session.run(input, dims))[this.#outputIndex]!;
      const data = result.data as Float32Array;
      if (data.length !== rows * this.dim) {
        throw new RangeError(`model ${this.id}: expected ${rows}x${this.dim} embedding values, got ${data.length}`);
      }
      out.set(data.subarray(0, n * this.dim), start * this.dim);
    }
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}

function cosine(name: string, value: unknown): number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !(value >= -1 && value <= 1))) {
    throw new RangeError(`${name}: expected a cosine in [-1, 1], got ${describe(value)}`);
  }
  return value;
}

function normalizeRow(v: Float32Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
}

function toNhwc(nchw: Float32Array, n: number, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(nchw.length);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < 3; c++) {
      const src = (b * 3 + c) * plane;
      for (let i = 0; i < plane; i++) out[(b * plane + i) * 3 + c] = nchw[src + i]!;
    }
  }
  return out;
}
