// Runs a tfjs graph model on @tensorflow/tfjs's pure-JS cpu backend: the reference the
// converted ONNX models are compared with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';

let ready: Promise<void> | undefined;
export function tfReady(): Promise<void> {
  ready ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}

export interface ModelArtifactsInput {
  modelJson: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: object[] }[]; signature?: unknown; format?: string };
  weightData: Uint8Array;
}

/** Loads a model from model.json + shards on disk into tfjs. */
export async function loadTfjsFromDisk(modelJsonPath: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  const dir = path.dirname(modelJsonPath);
  const shards = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(path.join(dir, p))));
  return loadTfjsFromMemory({ modelJson: json, weightData: new Uint8Array(Buffer.concat(shards)) });
}

export async function loadTfjsFromMemory(a: ModelArtifactsInput): Promise<tf.GraphModel> {
  await tfReady();
  const buf = a.weightData.buffer.slice(a.weightData.byteOffset, a.weightData.byteOffset + a.weightData.byteLength) as ArrayBuffer;
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: a.modelJson.modelTopology as object,
      weightSpecs: a.modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: buf,
      format: 'graph-model',
      signature: a.modelJson.signature as object | undefined,
    }),
  };
  return tf.loadGraphModel(handler);
}

export interface NamedArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** Executes a tfjs model; input keys are Placeholder names, outputs are tensor refs ('node:0'). */
export async function runTfjs(model: tf.GraphModel, inputs: Record<string, NamedArray>, outputs: string[]): Promise<Float32Array[]> {
  const feed: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feed[k] = tf.tensor(v.data, v.shape, v.data instanceof Int32Array ? 'int32' : 'float32');
  const result = (await model.executeAsync(feed, outputs)) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(result) ? result : [result];
  const out = list.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  tf.dispose([...Object.values(feed), ...list]);
  return out;
}

export async function runOnnx(bytes: Uint8Array, inputs: Record<string, NamedArray>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const feed: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feed[k] = new ort.Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.shape);
  const res = await session.run(feed);
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(res)) out[k] = Float32Array.from(t.data as ArrayLike<number>, Number);
  await session.release();
  return out;
}

/** ||a - b|| / max(||b||, tiny), in float64. */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  if (Number.isNaN(num)) return Infinity;
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/** Deterministic uniform values in [lo, hi). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}
