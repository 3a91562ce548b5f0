// Candidate people for a query from an HNSW graph (the optional package usearch) over the
// people's mean embeddings. It only proposes: PersonTable re-scores every candidate exactly
// against the current means, so a stale indexed copy can cost recall, never a wrong score or a
// wrong placement among the candidates. That is why a person's mean is indexed again only when
// it has drifted (cosine to the indexed copy below REINDEX_COSINE): re-inserting it on every
// face that joins would cost one HNSW insert per face.
import { doubled } from '../cluster/doubled.js';
import { importOptional } from '../optional/import-optional.js';
import type { CandidateProposer } from './person-table.js';

/** The part of usearch's API used here (its own types stay out of our declarations). */
interface HnswIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  remove(keys: BigUint64Array): unknown;
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; counts?: BigUint64Array };
}
export interface Usearch {
  Index: new (config: Record<string, unknown>) => HnswIndex;
}

/** Loads usearch, or throws the Error that says `npm install usearch`. */
export async function loadUsearch(): Promise<Usearch> {
  const mod = await importOptional<Usearch & { default?: Usearch }>('usearch', "PeopleIndex peopleSearch: 'hnsw'");
  return mod.default ?? mod;
}

// Measured on 20k random 512-d points, queries at cosine ~0.7 to their point (docs/people.md,
// Incremental adds): int8 inserts cost a third of f32's at the same recall (~0.99 of the best
// among 16); expansion 64 keeps that recall where 32 drops it to ~0.9.
const GRAPH = { metric: 'cos', quantization: 'i8', connectivity: 16, expansion_add: 64, expansion_search: 64 } as const;
export const REINDEX_COSINE = 0.99;

export class HnswProposer implements CandidateProposer {
  readonly #dim: number;
  readonly #threads: number;
  readonly #index: HnswIndex;
  /** Per slot: the unit copy of the mean as indexed (valid where #indexed[slot] is 1). */
  #copy: Float32Array;
  #indexed = new Int32Array(64);
  #dirty = new Set<number>();

  constructor(usearch: Usearch, dim: number, threads: number) {
    this.#dim = dim;
    this.#threads = threads;
    this.#index = new usearch.Index({ dimensions: dim, ...GRAPH });
    this.#copy = new Float32Array(64 * dim);
  }

  changed(slot: number): void {
    this.#dirty.add(slot);
  }

  propose(queries: Float32Array, means: Float32Array, k: number): Int32Array {
    this.#refresh(means);
    const d = this.#dim, nq = queries.length / d, out = new Int32Array(nq * k).fill(-1);
    const hits = this.#index.search(queries, k, this.#threads);
    // One query comes back as a single result without counts: its keys are the found ones.
    for (let i = 0; i < nq; i++) {
      const found = hits.counts ? Number(hits.counts[i]) : hits.keys.length;
      for (let r = 0; r < Math.min(found, k); r++) out[i * k + r] = Number(hits.keys[i * k + r]);
    }
    return out;
  }

  /** Re-indexes the changed slots whose mean drifted; drops emptied ones. */
  #refresh(means: Float32Array): void {
    if (this.#dirty.size === 0) return;
    const d = this.#dim, drop: number[] = [], put: number[] = [];
    for (const slot of this.#dirty) {
      while (slot >= this.#indexed.length) (this.#indexed = doubled(this.#indexed)), (this.#copy = doubled(this.#copy));
      const o = slot * d;
      let mm = 0, mc = 0;
      for (let c = 0; c < d; c++) (mm += means[o + c] * means[o + c]), (mc += means[o + c] * this.#copy[o + c]);
      const inIndex = this.#indexed[slot] === 1;
      if (mm === 0) {
        if (inIndex) drop.push(slot);
        this.#indexed[slot] = 0;
        continue;
      }
      if (inIndex && mc >= REINDEX_COSINE * Math.sqrt(mm)) continue;
      if (inIndex) drop.push(slot);
      const inv = 1 / Math.sqrt(mm);
      for (let c = 0; c < d; c++) this.#copy[o + c] = means[o + c] * inv;
      this.#indexed[slot] = 1;
      put.push(slot);
    }
    this.#dirty.clear();
    if (drop.length > 0) this.#index.remove(BigUint64Array.from(drop, BigInt));
    if (put.length === 0) return;
    const rows = new Float32Array(put.length * d);
    put.forEach((slot, i) => rows.set(this.#copy.subarray(slot * d, (slot + 1) * d), i * d));
    this.#index.add(BigUint64Array.from(put, BigInt), rows, this.#threads);
  }
}
