// Candidate people from a random projection of the people's means to PROJECTED_DIM dimensions:
// an exact top-k over the projected means (dim / PROJECTED_DIM times fewer multiply-adds than
// over the means themselves) proposes, and PersonTable re-scores the candidates exactly. The
// projection is a fixed seeded Gaussian matrix, so a projected dot product is the true one plus
// noise of about |mean| / sqrt(PROJECTED_DIM) (Johnson-Lindenstrauss): a matching person
// (mean cosine well above the threshold) stays among the candidates, checked by recall in the bench.
import { doubled } from '../cluster/doubled.js';
import { similarityMatrix } from '../core/similarity.js';
import { topK } from '../core/topk.js';
import { normalInit } from '../train/margin-head.js';
import type { CandidateProposer } from './person-table.js';

export const PROJECTED_DIM = 128;
const SEED = 0x9e0b1e;

export class ProjectedProposer implements CandidateProposer {
  readonly #dim: number;
  /** PROJECTED_DIM x dim: row j is the j-th projection direction. */
  readonly #plane: Float32Array;
  /** Per slot, the projected mean (a slot emptied projects to zeros). */
  #projected = new Float32Array(64 * PROJECTED_DIM);
  #dirty = new Set<number>();

  constructor(dim: number) {
    this.#dim = dim;
    this.#plane = normalInit(PROJECTED_DIM * dim, SEED, 1 / Math.sqrt(PROJECTED_DIM));
  }

  changed(slot: number): void {
    this.#dirty.add(slot);
  }

  propose(queries: Float32Array, means: Float32Array, k: number): Int32Array {
    const d = this.#dim, r = PROJECTED_DIM, slots = means.length / d, nq = queries.length / d;
    this.#refresh(means, slots);
    const hits = topK(this.#project(queries), this.#projected.subarray(0, slots * r), r, Math.min(k, slots), { metric: 'dot' });
    const out = new Int32Array(nq * k).fill(-1);
    for (let i = 0; i < nq; i++) out.set(hits.indices.subarray(i * hits.k, (i + 1) * hits.k), i * k);
    return out;
  }

  #project(rows: Float32Array): Float32Array {
    return similarityMatrix(rows, this.#plane, this.#dim, { metric: 'dot' });
  }

  /** Projects the changed slots' means again, all in one kernel call. */
  #refresh(means: Float32Array, slots: number): void {
    while (slots * PROJECTED_DIM > this.#projected.length) this.#projected = doubled(this.#projected);
    if (this.#dirty.size === 0) return;
    const d = this.#dim, changed = [...this.#dirty], rows = new Float32Array(changed.length * d);
    this.#dirty.clear();
    changed.forEach((slot, i) => rows.set(means.subarray(slot * d, (slot + 1) * d), i * d));
    const projected = this.#project(rows);
    changed.forEach((slot, i) => this.#projected.set(projected.subarray(i * PROJECTED_DIM, (i + 1) * PROJECTED_DIM), slot * PROJECTED_DIM));
  }
}
