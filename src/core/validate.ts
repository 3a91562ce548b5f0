// Argument checks shared by the typed wrappers: TypeError for the wrong kind of value,
// RangeError for a wrong size or value, each naming the argument, what was expected and what came.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength})`;
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}'`;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

export function assertFloat32Array(name: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new TypeError(`${name}: expected a Float32Array, got ${describe(value)}`);
  }
}

export function assertInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Rows of a row-major (n x dim) matrix; its length must be a multiple of dim. */
export function rowsOf(name: string, value: unknown, dim: number): number {
  assertFloat32Array(name, value);
  if (value.length % dim !== 0) {
    throw new RangeError(`${name}: expected a length that is a multiple of dim (${dim}), got ${value.length}`);
  }
  return value.length / dim;
}

export function assertOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    const want = allowed.map((a) => `'${a}'`).join(' | ');
    if (typeof value !== 'string') throw new TypeError(`${name}: expected ${want}, got ${describe(value)}`);
    throw new RangeError(`${name}: expected ${want}, got ${describe(value)}`);
  }
  return value as T;
}

export function assertOptionsObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name}: expected an options object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}
