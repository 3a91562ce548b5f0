// Query rows between a router and its shards as base64 of their float32 bytes (little-endian):
// exact (the very floats the router holds), and without printing and re-parsing a decimal per
// number, which a router paid for every query on every shard (profiled: ~5% of its CPU).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `rows` (row-major float32) as base64 of their little-endian bytes. */
export function encodeVectors(rows: Float32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).toString('base64');
  const bytes = Buffer.alloc(rows.byteLength);
  for (let i = 0; i < rows.length; i++) bytes.writeFloatLE(rows[i]!, i * 4);
  return bytes.toString('base64');
}

/**
 * The rows of `dim` finite float32 numbers in `text` (as encodeVectors writes them), or a
 * RangeError/TypeError naming `name`, what was expected and what came.
 */
export function decodeVectors(name: string, text: unknown, dim: number, maxRows: number): Float32Array {
  if (typeof text !== 'string') throw new TypeError(`${name}: expected base64 of float32 rows, got ${typeof text}`);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new RangeError(`${name}: expected base64 of float32 rows, got characters that are not base64`);
  const bytes = Buffer.from(text, 'base64');
  const rowBytes = 4 * dim;
  if (bytes.length === 0 || bytes.length % rowBytes !== 0) {
    throw new RangeError(`${name}: expected rows of ${dim} float32 numbers (${rowBytes} bytes each; this server's model), got ${bytes.length} bytes`);
  }
  const n = bytes.length / rowBytes;
  if (n > maxRows) throw new RangeError(`${name}: expected at most ${maxRows} rows, got ${n}`);
  const out = new Float32Array(n * dim);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new RangeError(`${name}: expected finite numbers, got ${out[i]} in row ${Math.floor(i / dim)}`);
  }
  return out;
}
