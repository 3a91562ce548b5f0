// TensorFlow.js graph model -> ONNX ModelProto.
import path from 'node:path';
import { ConversionError, ConvertContext, onnxType, tfDtypeOf, type LayoutMode, type Value } from './context.js';
import { encodeOnnxModel, type OnnxDim, type OnnxValueInfo } from './onnx-proto.js';
import { opConverters } from './ops/index.js';
import { fuseDecomposedPrelu } from './rewrite.js';
import { decodeTfjsWeights, parseTfjsModelJson, readTfjsGraphModelFiles, type HostTensor, type TfGraphModel, type TfGraphModelArtifacts, type TfNode } from './tfjs-model.js';

export const CONVERTER_VERSION = '1';
export const ONNX_OPSET = 13;

export interface ConvertOptions {
  /** How NHWC convolution regions are laid out; 'nchw' (default) is the fast one. */
  layout?: LayoutMode;
  /**
   * Layout of 4-D image inputs in the ONNX model: 'nhwc' (default) as in TensorFlow, or 'nchw'
   * (as ArcFace-style ONNX models take them), which saves the input transpose.
   */
  inputLayout?: 'nhwc' | 'nchw';
  /**
   * Make a batch size fixed at 1 in the source dynamic: the inputs' first dimension and the
   * leading 1 of Reshape targets applied to batched tensors (BlazeFace is exported for batch 1).
   */
  dynamicBatch?: boolean;
  /** Apply the exact graph rewrites of rewrite.ts (default true; off to measure them). */
  rewrites?: boolean;
  /** Name used in error messages and as the ONNX graph name. */
  modelName?: string;
}

/** The options that change the converted model (the cache key includes them). */
export function optionsKey(options: ConvertOptions): string {
  return `layout=${options.layout ?? 'nchw'} input=${options.inputLayout ?? 'nhwc'} dynamicBatch=${options.dynamicBatch ?? false} rewrites=${options.rewrites ?? true}`;
}

interface TensorRef {
  node: string;
  index: number;
}

function parseRef(ref: string): TensorRef {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

const refKey = (r: TensorRef) => `${r.node}:${r.index}`;

/** Input refs of a node, without control dependencies ('^name'). */
function dataInputs(node: TfNode): TensorRef[] {
  return node.input.filter((s) => !s.startsWith('^')).map(parseRef);
}

interface GraphEnds {
  inputs: { name: string; node: string }[];
  outputs: { name: string; ref: TensorRef }[];
}

function graphEnds(model: TfGraphModel, byName: Map<string, TfNode>, modelName: string): GraphEnds {
  const sigInputs = model.signature?.inputs ?? {};
  const sigOutputs = model.signature?.outputs ?? {};
  const inputNameOf = new Map<string, string>();
  for (const [key, entry] of Object.entries(sigInputs)) inputNameOf.set(parseRef(entry.name ?? key).node, key);
  let outputs: GraphEnds['outputs'] = Object.entries(sigOutputs).map(([key, entry]) => ({ name: key, ref: parseRef(entry.name ?? key) }));
  if (outputs.length === 0) {
    // Like tfjs: without a signature the outputs are the nodes nothing consumes.
    const consumed = new Set(model.nodes.flatMap((n) => dataInputs(n).map((r) => r.node)));
    outputs = model.nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => ({ name: n.name, ref: { node: n.name, index: 0 } }));
  }
  if (outputs.length === 0) throw new ConversionError(`${modelName}: the graph has no outputs`, modelName);
  for (const o of outputs) {
    if (!byName.has(o.ref.node)) throw new ConversionError(`${modelName}: signature output '${o.name}' refers to missing node '${o.ref.node}'`, modelName);
  }
  const inputs = model.nodes.filter((n) => n.op === 'Placeholder').map((n) => ({ name: inputNameOf.get(n.name) ?? n.name, node: n.name }));
  return { inputs, outputs };
}

/** Nodes the outputs depend on, producers before consumers. */
function topologicalOrder(outputs: TensorRef[], byName: Map<string, TfNode>, modelName: string): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  for (const out of outputs) {
    const stack: { node: TfNode; next: number }[] = [];
    const push = (name: string, from?: TfNode) => {
      const node = byName.get(name);
      if (!node) throw new ConversionError(`${modelName}: node '${from?.name}' reads missing node '${name}'`, modelName, from?.name, from?.op);
      const s = state.get(name);
      if (s === 2) return;
      if (s === 1) throw new ConversionError(`${modelName}: the graph has a cycle through node '${name}' (control flow is not supported)`, modelName, name, node.op);
      state.set(name, 1);
      stack.push({ node, next: 0 });
    };
    push(out.node);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ins = dataInputs(top.node);
      if (top.next < ins.length) {
        push(ins[top.next++].node, top.node);
      } else {
        stack.pop();
        state.set(top.node.name, 2);
        order.push(top.node);
      }
    }
  }
  return order;
}

function placeholderShape(node: TfNode, ctx: ConvertContext): number[] {
  const shape = node.attr.shape?.shape;
  if (!shape || shape.unknownRank || !shape.dim) ctx.fail('input has no known rank; cannot convert');
  return shape.dim.map((d) => Number(d.size ?? -1));
}

function constValue(node: TfNode, weights: Map<string, HostTensor>, ctx: ConvertContext): Value {
  const w = weights.get(node.name);
  if (!w) ctx.fail('constant has no entry in weightsManifest');
  const declared = node.attr.value?.tensor?.tensorShape?.dim?.map((d) => Number(d.size ?? -1));
  if (declared && (declared.length !== w.shape.length || declared.some((d, i) => d !== w.shape[i]))) {
    ctx.fail(`weight shape [${w.shape.join(', ')}] in weightsManifest does not match the node's shape [${declared.join(', ')}]`);
  }
  const dtype = tfDtypeOf(node.attr.dtype?.type);
  if (dtype && dtype !== w.dtype) ctx.fail(`weight dtype '${w.dtype}' does not match the node's dtype '${dtype}'`);
  return { dtype: w.dtype, shape: w.shape, host: w };
}

/** Converts a parsed graph model with its weight bytes. */
export function convertTfjsModel(model: TfGraphModel, weightData: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  const modelName = options.modelName ?? 'model';
  const weights = decodeTfjsWeights(model, weightData, modelName);
  const nodes = options.rewrites === false ? model.nodes : fuseDecomposedPrelu(model.nodes, weights);
  const byName = new Map<string, TfNode>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw new ConversionError(`${modelName}: duplicate node name '${n.name}'`, modelName, n.name, n.op);
    byName.set(n.name, n);
  }
  const ends = graphEnds(model, byName, modelName);
  const order = topologicalOrder(ends.outputs.map((o) => o.ref), byName, modelName);
  const ctx: ConvertContext = new ConvertContext(modelName, options.layout ?? 'nchw', options.dynamicBatch ?? false);
  for (const i of ends.inputs) ctx.reserve(i.name);
  for (const o of ends.outputs) ctx.reserve(o.name);

  const values = new Map<string, Value>();
  const inputInfos: OnnxValueInfo[] = [];
  for (const node of order) {
    ctx.current = node;
    if (node.op === 'Const') {
      values.set(refKey({ node: node.name, index: 0 }), constValue(node, weights, ctx));
      continue;
    }
    if (node.op === 'Placeholder') {
      const name = ends.inputs.find((i) => i.node === node.name)!.name;
      const dtype = tfDtypeOf(node.attr.dtype?.type) ?? ctx.fail(`unsupported input dtype ${node.attr.dtype?.type}`);
      const shape = placeholderShape(node, ctx);
      if (options.dynamicBatch && shape.length > 0) shape[0] = -1;
      const nchwInput = options.inputLayout === 'nchw' && shape.length === 4;
      values.set(refKey({ node: node.name, index: 0 }), nchwInput ? { dtype, shape, nchw: name } : { dtype, shape, tf: name });
      const onnxShape = nchwInput ? [0, 3, 1, 2].map((i) => shape[i]) : shape;
      inputInfos.push({ name, elemType: onnxType(dtype), shape: onnxShape.map((d, i): OnnxDim => (d >= 0 ? d : i === 0 ? 'batch' : `${name}_dim${i}`)) });
      continue;
    }
    const converter = opConverters[node.op];
    if (!converter) ctx.fail(`unsupported op '${node.op}'`);
    const inputs = dataInputs(node).map((r) => {
      const v = values.get(refKey(r));
      if (!v) ctx.fail(`input '${refKey(r)}' is not produced by the graph`);
      return v;
    });
    let outs: Value[];
    try {
      outs = converter(ctx, node, inputs);
    } catch (e) {
      if (e instanceof ConversionError) throw e;
      ctx.fail(`conversion failed: ${(e as Error).message}`);
    }
    outs.forEach((v, i) => values.set(refKey({ node: node.name, index: i }), v));
  }

  ctx.current = undefined;
  const batchDynamic = inputInfos.some((i) => i.shape[0] === 'batch');
  const outputInfos: OnnxValueInfo[] = ends.outputs.map((o) => {
    const v = values.get(refKey(o.ref));
    if (!v) throw new ConversionError(`${modelName}: output '${o.name}' (${refKey(o.ref)}) is not produced by the graph`, modelName);
    ctx.nodes.push({ name: `${o.name}/output`, opType: 'Identity', input: [ctx.asTf(v)], output: [o.name], attribute: [] });
    return { name: o.name, elemType: onnxType(v.dtype), shape: v.shape.map((d, i): OnnxDim => (d >= 0 ? d : i === 0 && batchDynamic ? 'batch' : `${o.name}_dim${i}`)) };
  });

  return encodeOnnxModel({
    producerName: 'facecore',
    producerVersion: CONVERTER_VERSION,
    docString: `Converted from the TensorFlow.js graph model ${modelName} (${optionsKey(options)}).`,
    opsetVersion: ONNX_OPSET,
    graphName: modelName,
    nodes: ctx.nodes,
    initializers: ctx.initializers,
    inputs: inputInfos,
    outputs: outputInfos,
    metadata: {
      source_format: 'tfjs-graph-model',
      input_layout: options.inputLayout ?? 'nhwc',
      ...(model.generatedBy ? { source_generated_by: model.generatedBy } : {}),
      ...(model.convertedBy ? { source_converted_by: model.convertedBy } : {}),
    },
  });
}

/** Converts in-memory artifacts (model.json content and the concatenated weight shards). */
export function convertTfjsArtifacts(artifacts: TfGraphModelArtifacts, options: ConvertOptions = {}): Uint8Array {
  const modelName = options.modelName ?? 'model';
  const model = isParsed(artifacts.modelJson) ? artifacts.modelJson : parseTfjsModelJson(artifacts.modelJson, modelName);
  return convertTfjsModel(model, artifacts.weightData, { ...options, modelName });
}

function isParsed(x: unknown): x is TfGraphModel {
  return typeof x === 'object' && x !== null && Array.isArray((x as TfGraphModel).nodes) && Array.isArray((x as TfGraphModel).weightsManifest);
}

/** Reads a tfjs graph model (model.json and its shards) and returns ONNX model bytes. */
export async function convertTfjsGraph(modelJsonPath: string, options: ConvertOptions = {}): Promise<Uint8Array> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath.length === 0) {
    throw new TypeError(`modelJsonPath must be a non-empty string, got ${typeof modelJsonPath === 'string' ? 'an empty string' : typeof modelJsonPath}`);
  }
  const { artifacts } = await readTfjsGraphModelFiles(modelJsonPath);
  return convertTfjsArtifacts(artifacts, { modelName: path.basename(modelJsonPath), ...options });
}
