// Conversion state: the ONNX graph being built and, per TensorFlow tensor, where its value lives.
// A 4-D tensor can exist in TensorFlow's NHWC layout, in ONNX's NCHW layout, or both; ops ask for
// the layout they need and a Transpose is emitted once, on first demand.
import { OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxDataTypeId, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { int64Host, numElements, reshapeHost, transposeHost } from './host-tensor.js';
import type { HostTensor, TfAttrValue, TfDtype, TfNode } from './tfjs-model.js';

/** NHWC -> NCHW: nchw dim i is nhwc dim NHWC_TO_NCHW[i]. */
export const NHWC_TO_NCHW = [0, 3, 1, 2];
/** NCHW -> NHWC. */
export const NCHW_TO_NHWC = [0, 2, 3, 1];
/** Position in NCHW of each NHWC axis. */
export const NHWC_AXIS_IN_NCHW = [0, 2, 3, 1];

/**
 * 'nchw': convolution regions stay NCHW and transposes appear only where an op needs
 * TensorFlow's layout (reshape, slicing, graph outputs).
 * 'transpose': every convolution and pool is wrapped in its own pair of transposes and
 * onnxruntime's optimiser is left to cancel them (kept to measure the difference).
 */
export type LayoutMode = 'nchw' | 'transpose';

/** A TensorFlow tensor during conversion. */
export interface Value {
  dtype: TfDtype;
  /** TensorFlow-order shape; -1 for a size unknown at conversion time. */
  shape: number[];
  /** Known at conversion time. */
  host?: HostTensor;
  /** ONNX value name holding it in TensorFlow's layout. */
  tf?: string;
  /** ONNX value name holding it in NCHW (rank-4 tensors only). */
  nchw?: string;
}

export class ConversionError extends Error {
  constructor(
    message: string,
    readonly modelName: string,
    readonly nodeName?: string,
    readonly op?: string,
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

const ONNX_TYPE: Record<TfDtype, OnnxDataTypeId> = {
  float32: OnnxDataType.FLOAT,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
  bool: OnnxDataType.BOOL,
};

export function onnxType(dtype: TfDtype): OnnxDataTypeId {
  return ONNX_TYPE[dtype];
}

const TF_TYPE: Record<string, TfDtype> = {
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_BOOL: 'bool',
};

export function tfDtypeOf(type: string | undefined): TfDtype | undefined {
  return type === undefined ? undefined : TF_TYPE[type];
}

export const attr = {
  int: (name: string, i: number): OnnxAttribute => ({ name, type: OnnxAttributeType.INT, i }),
  ints: (name: string, ints: number[]): OnnxAttribute => ({ name, type: OnnxAttributeType.INTS, ints }),
  float: (name: string, f: number): OnnxAttribute => ({ name, type: OnnxAttributeType.FLOAT, f }),
  string: (name: string, s: string): OnnxAttribute => ({ name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: OnnxTensor): OnnxAttribute => ({ name, type: OnnxAttributeType.TENSOR, t }),
};

export function hostToOnnxTensor(name: string, t: HostTensor): OnnxTensor {
  const d = t.data;
  const rawData = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return { name, dataType: onnxType(t.dtype), dims: t.shape.slice(), rawData };
}

export class ConvertContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly usedNames = new Set<string>();
  private readonly int64Cache = new Map<string, string>();
  /** The TF node being converted, for error messages and ONNX node names. */
  current?: TfNode;

  constructor(
    readonly modelName: string,
    readonly layout: LayoutMode,
    /** Treat a leading dimension of 1 in Reshape targets as the batch (ConvertOptions.dynamicBatch). */
    readonly dynamicBatch = false,
  ) {}

  reserve(name: string): void {
    this.usedNames.add(name);
  }

  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}__${k}`;
    this.usedNames.add(name);
    return name;
  }

  fail(message: string): never {
    const n = this.current;
    if (!n) throw new ConversionError(`${this.modelName}: ${message}`, this.modelName);
    throw new ConversionError(`${this.modelName}: node '${n.name}' (op ${n.op}): ${message}`, this.modelName, n.name, n.op);
  }

  /** Emits one ONNX node and returns its output names. */
  emitMulti(opType: string, inputs: string[], attributes: OnnxAttribute[], outputCount: number, hint?: string): string[] {
    const base = hint ?? `${this.current?.name ?? 'graph'}/${opType}`;
    const outputs = Array.from({ length: outputCount }, (_, i) => this.uniqueName(i === 0 ? base : `${base}:${i}`));
    this.nodes.push({ name: this.uniqueName(`${base}/node`), opType, input: inputs, output: outputs, attribute: attributes });
    return outputs;
  }

  emit(opType: string, inputs: string[], attributes: OnnxAttribute[] = [], hint?: string): string {
    return this.emitMulti(opType, inputs, attributes, 1, hint)[0];
  }

  /** Adds a constant as an initializer. */
  initializer(t: HostTensor, hint: string): string {
    const name = this.uniqueName(hint);
    this.initializers.push(hostToOnnxTensor(name, t));
    return name;
  }

  /** A 1-D int64 constant (axes, pads, shapes), shared between nodes that need the same one. */
  int64s(values: readonly (number | bigint)[], scalar = false): string {
    const key = `${scalar ? 's' : 'v'}${values.join(',')}`;
    let name = this.int64Cache.get(key);
    if (!name) {
      name = this.initializer(int64Host(values, scalar ? [] : [values.length]), `const_i64_${this.int64Cache.size}`);
      this.int64Cache.set(key, name);
    }
    return name;
  }

  /** The value in TensorFlow's layout. */
  asTf(v: Value): string {
    if (v.tf) return v.tf;
    if (v.host) {
      v.tf = this.initializer(v.host, `${this.current?.name ?? 'const'}/const`);
      return v.tf;
    }
    if (v.nchw) {
      v.tf = this.emit('Transpose', [v.nchw], [attr.ints('perm', NCHW_TO_NHWC)], `${this.current?.name ?? 'graph'}/to_nhwc`);
      return v.tf;
    }
    return this.fail('internal error: value has no ONNX name');
  }

  /** A rank-4 NHWC tensor in NCHW layout. */
  asNchw(v: Value): string {
    if (v.shape.length !== 4) this.fail(`expected a 4-D tensor, got rank ${v.shape.length}`);
    if (v.nchw) return v.nchw;
    if (v.host) {
      v.nchw = this.initializer(transposeHost(v.host, NHWC_TO_NCHW), `${this.current?.name ?? 'const'}/const_nchw`);
      return v.nchw;
    }
    v.nchw = this.emit('Transpose', [this.asTf(v)], [attr.ints('perm', NHWC_TO_NCHW)], `${this.current?.name ?? 'graph'}/to_nchw`);
    return v.nchw;
  }

  /** True when a 4-D value is computed in NCHW (constants and NHWC-only values are not). */
  isNchw(v: Value): boolean {
    return this.layout === 'nchw' && v.shape.length === 4 && v.nchw !== undefined && v.host === undefined;
  }

  /**
   * An operand broadcast against a 4-D NCHW tensor: a lower-rank TF operand aligns to the
   * trailing NHWC axes, so pad it to rank 4 and move the channel axis to position 1.
   */
  asNchwOperand(v: Value): string {
    const r = v.shape.length;
    if (r === 4) return this.asNchw(v);
    if (r > 4) this.fail(`cannot broadcast a rank-${r} tensor against a 4-D one`);
    const padded = [...new Array<number>(4 - r).fill(1), ...v.shape];
    if (v.host) {
      // A per-channel vector [C] becomes [1, C, 1, 1]; a scalar stays a scalar.
      if (numElements(v.host.shape) === 1 && r <= 1) return this.asTf(v);
      const t = transposeHost(reshapeHost(v.host, padded), NHWC_TO_NCHW);
      return this.initializer({ ...t, shape: t.shape }, `${this.current?.name ?? 'const'}/const_nchw`);
    }
    if (r === 0) return this.asTf(v);
    const unsqueezed = this.emit('Unsqueeze', [this.asTf(v), this.int64s(Array.from({ length: 4 - r }, (_, i) => i))]);
    return this.emit('Transpose', [unsqueezed], [attr.ints('perm', NHWC_TO_NCHW)]);
  }

  // --- TensorFlow attribute readers -------------------------------------------------------

  private attrOf(node: TfNode, name: string): TfAttrValue | undefined {
    return node.attr[name];
  }

  attrString(node: TfNode, name: string, fallback?: string): string {
    const a = this.attrOf(node, name);
    if (a?.s === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing attribute '${name}'`);
    }
    return Buffer.from(a.s, 'base64').toString('utf8');
  }

  attrInt(node: TfNode, name: string, fallback?: number): number {
    const a = this.attrOf(node, name);
    if (a?.i === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing attribute '${name}'`);
    }
    return Number(a.i);
  }

  attrFloat(node: TfNode, name: string, fallback?: number): number {
    const a = this.attrOf(node, name);
    if (a?.f === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing attribute '${name}'`);
    }
    return Number(a.f);
  }

  attrBool(node: TfNode, name: string, fallback = false): boolean {
    const a = this.attrOf(node, name);
    return a?.b === undefined ? fallback : Boolean(a.b);
  }

  attrInts(node: TfNode, name: string, fallback?: number[]): number[] {
    const a = this.attrOf(node, name);
    if (a?.list === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing attribute '${name}'`);
    }
    return (a.list.i ?? []).map(Number);
  }

  attrStrings(node: TfNode, name: string): string[] {
    const a = this.attrOf(node, name);
    return (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  }

  attrType(node: TfNode, name: string): TfDtype | undefined {
    const t = this.attrOf(node, name)?.type;
    if (t === undefined) return undefined;
    const dtype = tfDtypeOf(t);
    if (!dtype) this.fail(`attribute '${name}' has unsupported type ${t}`);
    return dtype;
  }

  /** A constant input (weights, shapes, axes): its value must be known at conversion time. */
  hostOf(v: Value, what: string): HostTensor {
    if (!v.host) this.fail(`${what} must be a constant`);
    return v.host;
  }
}
