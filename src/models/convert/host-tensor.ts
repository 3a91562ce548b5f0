// Small helpers on constant tensors held in JS during conversion.
import type { HostTensor, TfDtype, TypedData } from './tfjs-model.js';

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: TfDtype, n: number): TypedData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
    case 'int64':
      return new BigInt64Array(n);
  }
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** out.shape[i] = t.shape[perm[i]], like numpy.transpose. */
export function transposeHost(t: HostTensor, perm: readonly number[]): HostTensor {
  const shape = perm.map((p) => t.shape[p]);
  const n = numElements(shape);
  const out = allocData(t.dtype, n);
  const inStrides = stridesOf(t.shape);
  const permStrides = perm.map((p) => inStrides[p]);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < n; o++) {
    (out as Float32Array)[o] = (t.data as Float32Array)[src];
    // Odometer increment over the output index, tracking the source offset.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      src += permStrides[k];
      if (idx[k] < shape[k]) break;
      src -= permStrides[k] * shape[k];
      idx[k] = 0;
    }
  }
  return { dtype: t.dtype, shape, data: out };
}

export function reshapeHost(t: HostTensor, shape: number[]): HostTensor {
  return { dtype: t.dtype, shape, data: t.data };
}

/** Values as plain numbers (int64 through Number; shapes and axes fit easily). */
export function hostToNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

export function int64Host(values: readonly (number | bigint)[], shape: number[] = [values.length]): HostTensor {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export function castHost(t: HostTensor, dtype: TfDtype): HostTensor {
  if (t.dtype === dtype) return t;
  const n = t.data.length;
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = Number((t.data as ArrayLike<number | bigint>)[i]);
    if (dtype === 'int64') (out as BigInt64Array)[i] = BigInt(Math.trunc(v));
    else if (dtype === 'bool') (out as Uint8Array)[i] = v !== 0 ? 1 : 0;
    else if (dtype === 'int32') (out as Int32Array)[i] = Math.trunc(v);
    else (out as Float32Array)[i] = v;
  }
  return { dtype, shape: t.shape.slice(), data: out };
}
