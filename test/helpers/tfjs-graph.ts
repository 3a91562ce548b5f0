// Builds small TensorFlow.js graph models in memory (model.json + weight data), the same
// format the tfjs converter writes, for per-op tests.
import type { TfGraphModelArtifacts } from '../../src/models/convert/tfjs-model.js';

type AttrValue = Record<string, unknown>;

export const a = {
  ints: (v: number[]): AttrValue => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): AttrValue => ({ list: { s: v.map((s) => Buffer.from(s).toString('base64')) } }),
  s: (v: string): AttrValue => ({ s: Buffer.from(v).toString('base64') }),
  i: (v: number): AttrValue => ({ i: String(v) }),
  f: (v: number): AttrValue => ({ f: v }),
  b: (v: boolean): AttrValue => ({ b: v }),
  type: (v: 'DT_FLOAT' | 'DT_INT32' | 'DT_BOOL'): AttrValue => ({ type: v }),
};

interface Node {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

export class TfGraph {
  readonly nodes: Node[] = [];
  private readonly weights: { name: string; shape: number[]; dtype: string }[] = [];
  private readonly chunks: Uint8Array[] = [];
  private counter = 0;

  input(name: string, shape: number[], dtype: 'DT_FLOAT' | 'DT_INT32' = 'DT_FLOAT'): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: a.type(dtype), shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
    return name;
  }

  const(values: Float32Array | Int32Array | number[], shape: number[], dtype: 'float32' | 'int32' = values instanceof Int32Array ? 'int32' : 'float32'): string {
    const name = `const_${this.counter++}`;
    const data = dtype === 'int32' ? Int32Array.from(values as ArrayLike<number>) : Float32Array.from(values as ArrayLike<number>);
    this.nodes.push({
      name,
      op: 'Const',
      attr: { dtype: a.type(dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT'), value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } },
    });
    this.weights.push({ name, shape, dtype });
    this.chunks.push(new Uint8Array(data.buffer));
    return name;
  }

  op(op: string, input: string[], attr: Record<string, AttrValue> = {}, name = `${op.toLowerCase()}_${this.counter++}`): string {
    this.nodes.push({ name, op, input, attr: { T: a.type('DT_FLOAT'), ...attr } });
    return name;
  }

  artifacts(): Omit<TfGraphModelArtifacts, 'modelJson'> & { modelJson: { modelTopology: { node: Node[]; versions: object; library: object }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[]; format: string } } {
    const total = this.chunks.reduce((s, c) => s + c.byteLength, 0);
    const weightData = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      weightData.set(c, o);
      o += c.byteLength;
    }
    return {
      modelJson: { format: 'graph-model', modelTopology: { node: this.nodes, versions: {}, library: {} }, weightsManifest: [{ paths: ['weights.bin'], weights: this.weights }] },
      weightData,
    };
  }
}
