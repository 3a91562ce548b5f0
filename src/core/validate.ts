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
  assertAttached(name, value);
}

/** A view whose ArrayBuffer was transferred reads as empty: refuse it rather than compute on nothing. */
export function assertAttached(name: string, view: ArrayBufferView): void {
  if (view.byteLength !== 0 || view.buffer.byteLength !== 0) return;
  try {
    new Uint8Array(view.buffer); // throws only for a detached buffer (Node 20 lacks ArrayBuffer#detached)
  } catch {
    throw new TypeError(`${name}: expected a ${view.constructor.name} with live memory, got one whose ArrayBuffer was detached (transferred)`);
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

/**
 * Throws a RangeError when `out` shares bytes with any of `inputs` (views of one ArrayBuffer
 * whose byte ranges intersect): a kernel would read values it has already overwritten.
 */
export function assertNoOverlap(outName: string, out: ArrayBufferView, inputs: Record<string, ArrayBufferView | null | undefined>): void {
  if (out.byteLength === 0) return;
  const start = out.byteOffset, end = start + out.byteLength;
  for (const [name, input] of Object.entries(inputs)) {
    if (!input || input.buffer !== out.buffer || input.byteLength === 0) continue;
    const inStart = input.byteOffset, inEnd = inStart + input.byteLength;
    if (start < inEnd && inStart < end) {
      throw new RangeError(
        `${outName}: expected memory that does not overlap ${name}, got bytes [${start}, ${end}) of the same buffer as ${name}'s [${inStart}, ${inEnd})`,
      );
    }
  }
}

/** An array or a typed array (not a DataView): what a list of numbers may come as. */
export function isNumberList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A finite number, or `fallback` when the value is undefined. */
export function finiteNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number, got ${value}`);
  return value;
}
