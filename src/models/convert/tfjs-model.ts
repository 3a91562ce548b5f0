// Reading a TensorFlow.js graph model: model.json (topology + weights manifest) and the
// weight shards, dequantised exactly as tfjs-core's io.decodeWeights does.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeFloat16 } from './float16.js';

export type TfDtype = 'float32' | 'int32' | 'bool' | 'int64';
export type TypedData = Float32Array | Int32Array | Uint8Array | BigInt64Array;

/** A tensor whose values are known at conversion time (a weight or a folded constant). */
export interface HostTensor {
  dtype: TfDtype;
  shape: number[];
  data: TypedData;
}

/** One entry of a node's attr map, as the tfjs converter writes it (AttrValue in JSON). */
export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[] };
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  tensor?: { dtype?: string; tensorShape?: { dim?: { size?: string | number }[] } };
}

export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttrValue>;
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
}

export interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

export interface TfWeightGroup {
  paths: string[];
  weights: TfWeightSpec[];
}

/** A parsed graph model: its nodes, signature and weights manifest. */
export interface TfGraphModel {
  nodes: TfNode[];
  signature?: { inputs: Record<string, TfSignatureEntry>; outputs: Record<string, TfSignatureEntry> };
  weightsManifest: TfWeightGroup[];
  /** Metadata kept in the ONNX file for provenance. */
  generatedBy?: string;
  convertedBy?: string;
}

/** Model files as bytes: model.json text and, per manifest group, its shards in order. */
export interface TfGraphModelArtifacts {
  modelJson: string | Uint8Array | object;
  /** Concatenation of every group's shards in manifest order (what tfjs calls weightData). */
  weightData: Uint8Array;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function fail(modelName: string, what: string): never {
  throw new Error(`${modelName}: ${what}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks the parts of model.json the converter relies on; the error says which part is wrong. */
export function parseTfjsModelJson(json: unknown, modelName: string): TfGraphModel {
  if (typeof json === 'string' || json instanceof Uint8Array) {
    const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
    try {
      json = JSON.parse(text);
    } catch (e) {
      fail(modelName, `model.json is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(json)) fail(modelName, 'model.json must hold a JSON object');
  if (json.format !== undefined && json.format !== 'graph-model') {
    fail(modelName, `model.json format is '${String(json.format)}', expected 'graph-model' (layers models are not supported)`);
  }
  const topology = json.modelTopology;
  if (!isObject(topology) || !Array.isArray(topology.node)) {
    fail(modelName, 'model.json has no modelTopology.node array (not a tfjs graph model)');
  }
  if (isObject(topology.library) && Array.isArray(topology.library.function) && topology.library.function.length > 0) {
    fail(modelName, 'model.json uses graph functions (modelTopology.library), which the converter does not support');
  }
  const nodes: TfNode[] = topology.node.map((n: unknown, i: number) => {
    if (!isObject(n) || typeof n.name !== 'string' || typeof n.op !== 'string') {
      fail(modelName, `modelTopology.node[${i}] must have string 'name' and 'op'`);
    }
    const input = n.input === undefined ? [] : n.input;
    if (!Array.isArray(input) || input.some((s) => typeof s !== 'string')) {
      fail(modelName, `node '${n.name}' has a non-string-array 'input'`);
    }
    const attr = n.attr === undefined ? {} : n.attr;
    if (!isObject(attr)) fail(modelName, `node '${n.name}' has a non-object 'attr'`);
    return { name: n.name, op: n.op, input: input as string[], attr: attr as Record<string, TfAttrValue> };
  });
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) fail(modelName, 'weightsManifest must be an array');
  const weightsManifest: TfWeightGroup[] = manifest.map((g: unknown, gi: number) => {
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || g.paths.some((p) => typeof p !== 'string')) {
      fail(modelName, `weightsManifest[${gi}] must have 'paths' (strings) and 'weights' arrays`);
    }
    const weights = g.weights.map((w: unknown, wi: number) => {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
        fail(modelName, `weightsManifest[${gi}].weights[${wi}] must have 'name', 'shape' and 'dtype'`);
      }
      if (w.shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
        fail(modelName, `weight '${w.name}' has an invalid shape [${w.shape.join(', ')}]`);
      }
      return w as unknown as TfWeightSpec;
    });
    return { paths: g.paths as string[], weights };
  });
  let signature: TfGraphModel['signature'];
  if (isObject(json.signature)) {
    const s = json.signature;
    signature = {
      inputs: isObject(s.inputs) ? (s.inputs as Record<string, TfSignatureEntry>) : {},
      outputs: isObject(s.outputs) ? (s.outputs as Record<string, TfSignatureEntry>) : {},
    };
  }
  return {
    nodes,
    signature,
    weightsManifest,
    generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === 'string' ? json.convertedBy : undefined,
  };
}

function numElements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes a weight takes in its shard (quantised weights take fewer). */
export function weightByteLength(spec: TfWeightSpec, modelName: string): number {
  const stored = spec.quantization ? spec.quantization.dtype : spec.dtype;
  const size = BYTES_PER_ELEMENT[stored];
  if (size === undefined) fail(modelName, `weight '${spec.name}' has unsupported dtype '${stored}'`);
  return numElements(spec.shape) * size;
}

/** Decodes every weight of the manifest from the concatenated shard bytes. */
export function decodeTfjsWeights(model: TfGraphModel, weightData: Uint8Array, modelName: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const specs = model.weightsManifest.flatMap((g) => g.weights);
  const needed = specs.reduce((sum, s) => sum + weightByteLength(s, modelName), 0);
  if (weightData.byteLength !== needed) {
    fail(modelName, `weight data holds ${weightData.byteLength} bytes but weightsManifest describes ${needed}`);
  }
  let offset = 0;
  for (const spec of specs) {
    const bytes = weightByteLength(spec, modelName);
    // Copy into a fresh buffer so typed views are aligned whatever the offset (a Node Buffer's
    // slice() would be a view).
    const chunk = new Uint8Array(bytes);
    chunk.set(weightData.subarray(offset, offset + bytes));
    offset += bytes;
    out.set(spec.name, decodeWeight(spec, chunk, modelName));
  }
  return out;
}

function decodeWeight(spec: TfWeightSpec, chunk: Uint8Array, modelName: string): HostTensor {
  const shape = spec.shape.slice();
  const n = numElements(shape);
  const q = spec.quantization;
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32' && spec.dtype !== 'bool') {
    fail(modelName, `weight '${spec.name}' has unsupported dtype '${spec.dtype}'`);
  }
  if (!q) {
    if (spec.dtype === 'float32') return { dtype: 'float32', shape, data: new Float32Array(chunk.buffer, chunk.byteOffset, n) };
    if (spec.dtype === 'int32') return { dtype: 'int32', shape, data: new Int32Array(chunk.buffer, chunk.byteOffset, n) };
    return { dtype: 'bool', shape, data: chunk };
  }
  if (q.dtype === 'float16') {
    if (spec.dtype !== 'float32') fail(modelName, `weight '${spec.name}' is float16-quantised but its dtype is '${spec.dtype}'`);
    return { dtype: 'float32', shape, data: decodeFloat16(new Uint16Array(chunk.buffer, chunk.byteOffset, n)) };
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16') fail(modelName, `weight '${spec.name}' has unsupported quantization dtype '${q.dtype}'`);
  if (typeof q.scale !== 'number' || typeof q.min !== 'number') {
    fail(modelName, `weight '${spec.name}' is ${q.dtype}-quantised but lacks numeric 'scale' and 'min'`);
  }
  const quantized = q.dtype === 'uint8' ? chunk : new Uint16Array(chunk.buffer, chunk.byteOffset, n);
  // Same arithmetic as tfjs: v * scale + min in double, stored to the target type.
  if (spec.dtype === 'float32') {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = quantized[i] * q.scale + q.min;
    return { dtype: 'float32', shape, data: values };
  }
  if (spec.dtype === 'int32') {
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.round(quantized[i] * q.scale + q.min);
    return { dtype: 'int32', shape, data: values };
  }
  return fail(modelName, `weight '${spec.name}' is quantised but has dtype '${spec.dtype}'`);
}

/**
 * Reads model.json and its shards from disk. Each group's shards must add up to exactly the bytes
 * its weights need, so a missing, short or long shard is reported by file name.
 */
export async function readTfjsGraphModelFiles(modelJsonPath: string): Promise<{ artifacts: TfGraphModelArtifacts; model: TfGraphModel; files: { path: string; bytes: Uint8Array }[] }> {
  const modelName = path.basename(modelJsonPath);
  let jsonBytes: Uint8Array;
  try {
    jsonBytes = await readFile(modelJsonPath);
  } catch (e) {
    throw new Error(`${modelName}: cannot read model.json at ${modelJsonPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const model = parseTfjsModelJson(jsonBytes, modelName);
  const dir = path.dirname(modelJsonPath);
  const files: { path: string; bytes: Uint8Array }[] = [{ path: modelJsonPath, bytes: jsonBytes }];
  const groups: Uint8Array[] = [];
  for (const group of model.weightsManifest) {
    const needed = group.weights.reduce((sum, s) => sum + weightByteLength(s, modelName), 0);
    const shards: Uint8Array[] = [];
    for (const p of group.paths) {
      const shardPath = path.resolve(dir, p);
      if (!shardPath.startsWith(path.resolve(dir) + path.sep)) {
        throw new Error(`${modelName}: weight shard path '${p}' points outside the model folder`);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readFile(shardPath);
      } catch (e) {
        throw new Error(`${modelName}: cannot read weight shard '${p}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      shards.push(bytes);
      files.push({ path: shardPath, bytes });
    }
    const got = shards.reduce((s, b) => s + b.byteLength, 0);
    if (got !== needed) {
      throw new Error(`${modelName}: weight shard(s) ${group.paths.map((p) => `'${p}'`).join(', ')} hold ${got} bytes but their weights need ${needed}${got < needed ? ' (truncated or missing data)' : ''}`);
    }
    groups.push(concat(shards));
  }
  return { artifacts: { modelJson: model, weightData: concat(groups) }, model, files };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
