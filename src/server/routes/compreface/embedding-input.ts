// Embeddings a client sends (computed with this server's model, e.g. by face_plugins=calculator):
// one JSON schema for their shape, one check for what a schema cannot say (the model's length,
// a finite non-zero norm; JSON has no NaN, but 1e999 parses to Infinity).
import { badRequest } from '../../errors.js';

/** JSON schema of one embedding (the length is checked against the model in embeddingRows). */
export const embeddingSchema = { type: 'array', items: { type: 'number' }, maxItems: 4096 } as const;

/** The schema of an array of 1..max embeddings. */
export const embeddingListSchema = (max: number) => ({ type: 'array', minItems: 1, maxItems: max, items: embeddingSchema }) as const;

/** `row` scaled to unit length into `out` at `offset`; 400 naming `name` for a wrong length or no finite non-zero norm. */
function unitRow(name: string, row: readonly number[], dim: number, out: Float32Array, offset: number): void {
  if (row.length !== dim) throw badRequest(`${name}: expected ${dim} numbers (this server's model), got ${row.length}`);
  // Scaled by the largest |v| first: squares of 1e-300 or 1e200 would under- or overflow.
  let max = 0;
  for (const v of row) max = Math.max(max, Math.abs(v));
  if (!(max > 0) || !Number.isFinite(max)) throw badRequest(`${name}: expected a finite non-zero vector`);
  let norm = 0;
  for (const v of row) norm += (v / max) ** 2;
  norm = Math.sqrt(norm) * max;
  for (let j = 0; j < dim; j++) out[offset + j] = row[j]! / norm;
}

/** One embedding as a unit Float32Array. */
export function embeddingRow(name: string, row: readonly number[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  unitRow(name, row, dim, out, 0);
  return out;
}

/** `rows` as one row-major Float32Array of unit vectors (errors name `name[i]`). */
export function embeddingRows(name: string, rows: readonly (readonly number[])[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => unitRow(`${name}[${i}]`, row, dim, out, i * dim));
  return out;
}
