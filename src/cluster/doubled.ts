// Growable typed arrays: a copy of twice the length (amortised O(1) appends).
type Growable = Float64Array | Float32Array | Int32Array;

export function doubled<T extends Growable>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(16, a.length * 2));
  b.set(a);
  return b;
}
