// Graph rewrites applied before conversion. Each gives the same values as the subgraph it
// replaces (for finite inputs); it only lets onnxruntime run fewer kernels.
import type { HostTensor, TfNode } from './tfjs-model.js';

function dataInputs(node: TfNode): string[] {
  return node.input.filter((s) => !s.startsWith('^')).map((s) => s.replace(/:0$/, ''));
}

function fusedOps(node: TfNode): string[] {
  return (node.attr.fused_ops?.list?.s ?? []).map((v) => Buffer.from(v, 'base64').toString('utf8'));
}

/** Whether a node's output is never negative (a Relu, or a fused op ending in one). */
function nonNegative(node: TfNode | undefined): boolean {
  if (!node) return false;
  if (node.op === 'Relu' || node.op === 'Relu6') return true;
  const last = fusedOps(node).at(-1);
  return last === 'Relu' || last === 'Relu6';
}

/**
 * PReLU as TF-slim exports it: relu(x) + c * (x - |x|), i.e. Add(Relu(x), Mul(Sub(x, Abs(x)), c)).
 * For x < 0 that is (2x) * c and for x >= 0 it is x, so it equals Prelu(x, 2c) exactly
 * (doubling is exact in floating point): five passes over the activation become one.
 * MobileFaceNet also has the form where x is already a Relu output, so x - |x| is 0 and the
 * whole pattern is x itself: it becomes an Identity.
 */
export function fuseDecomposedPrelu(nodes: TfNode[], weights: Map<string, HostTensor>): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const uses = new Map<string, number>();
  for (const n of nodes) {
    for (const i of n.input) {
      const name = i.replace(/^\^/, '').replace(/:0$/, '');
      uses.set(name, (uses.get(name) ?? 0) + 1);
    }
  }
  const only = (name: string) => uses.get(name) === 1;
  const producer = (name: string, op: string) => {
    const n = byName.get(name);
    return n && n.op === op ? n : undefined;
  };

  const replaced = new Map<string, TfNode>();
  const extra: TfNode[] = [];
  for (const add of nodes) {
    if (add.op !== 'Add' && add.op !== 'AddV2') continue;
    const ins = dataInputs(add);
    if (ins.length !== 2) continue;
    for (const [first, mulName] of [ins, [ins[1], ins[0]]]) {
      const mul = producer(mulName, 'Mul');
      if (!mul || !only(mulName)) continue;
      const [m0, m1] = dataInputs(mul);
      const [subName, constName] = producer(m0, 'Sub') ? [m0, m1] : [m1, m0];
      const sub = producer(subName, 'Sub');
      const c = producer(constName, 'Const') ? weights.get(constName) : undefined;
      // A non-finite c would turn the 0 of x - |x| into NaN: leave such graphs alone.
      if (!sub || !c || c.dtype !== 'float32' || !only(subName) || !(c.data as Float32Array).every(Number.isFinite)) continue;
      const [x, absName] = dataInputs(sub);
      const abs = producer(absName, 'Abs');
      if (!abs || dataInputs(abs)[0] !== x || !only(absName)) continue;

      if (first === x && nonNegative(byName.get(x))) {
        replaced.set(add.name, { name: add.name, op: 'Identity', input: [x], attr: {} });
        break;
      }
      const relu = producer(first, 'Relu');
      if (!relu || !only(first) || dataInputs(relu)[0] !== x) continue;
      const alphaName = `${add.name}/fused_prelu_alpha`;
      if (byName.has(alphaName)) continue;
      weights.set(alphaName, { dtype: 'float32', shape: c.shape.slice(), data: Float32Array.from(c.data as Float32Array, (v) => 2 * v) });
      extra.push({ name: alphaName, op: 'Const', input: [], attr: {} });
      replaced.set(add.name, { name: add.name, op: 'Prelu', input: [x, alphaName], attr: {} });
      break;
    }
  }
  if (replaced.size === 0) return nodes;
  return [...nodes.map((n) => replaced.get(n.name) ?? n), ...extra];
}
