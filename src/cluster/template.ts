// Template aggregation: one embedding that stands for several photos of a person.
import { assertInteger, rowsOf } from '../core/validate.js';

/**
 * The L2-normalised mean of the L2-normalised rows (n x dim), optionally weighted (e.g. by
 * detection score or face quality). Averaging unit vectors is what insightface's IJB template
 * evaluation does; it beats picking any single photo.
 */
export function aggregateTemplate(embeddings: Float32Array, dim: number, weights?: ArrayLike<number>): Float32Array {
  assertInteger('dim', dim, 1, 1 << 20);
  const n = rowsOf('embeddings', embeddings, dim);
  if (n === 0) throw new RangeError('embeddings: expected at least one row, got 0');
  if (weights !== undefined && weights.length !== n) {
    throw new RangeError(`weights: expected ${n} weights (one per row), got ${weights.length}`);
  }
  const sum = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`weights[${i}]: expected a finite number >= 0, got ${w}`);
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += embeddings[i * dim + c] ** 2;
    if (!Number.isFinite(norm)) throw new RangeError(`embeddings: expected finite values, got a non-finite value in row ${i}`);
    if (norm === 0) continue;
    const scale = w / Math.sqrt(norm);
    for (let c = 0; c < dim; c++) sum[c] += embeddings[i * dim + c] * scale;
  }
  let total = 0;
  for (let c = 0; c < dim; c++) total += sum[c] ** 2;
  const out = new Float32Array(dim);
  if (total === 0) return out;
  const inv = 1 / Math.sqrt(total);
  for (let c = 0; c < dim; c++) out[c] = sum[c] * inv;
  return out;
}
