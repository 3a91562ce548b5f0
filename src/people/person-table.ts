// The people as vectors: per person the sum of its faces' unit embeddings and, in one
// matrix, the mean (sum / count). A face's mean cosine to a person's faces is one dot product
// with the mean, so incremental placement uses the same rule as batch average linkage and a
// search costs one row per person, not per face.
import { doubled } from '../cluster/doubled.js';
import { topK } from '../core/topk.js';

export class PersonTable {
  readonly dim: number;
  #slotOf = new Map<string, number>();
  #personAt: string[] = [];
  #count = new Int32Array(64);
  #sums: Float32Array;
  #means: Float32Array;
  readonly faces = new Map<string, Set<string>>();

  constructor(dim: number) {
    this.dim = dim;
    this.#sums = new Float32Array(64 * dim);
    this.#means = new Float32Array(64 * dim);
  }

  get slots(): number {
    return this.#personAt.length;
  }
  personAt(slot: number): string {
    return this.#personAt[slot];
  }
  has(person: string): boolean {
    return this.faces.has(person);
  }
  size(person: string): number {
    return this.faces.get(person)?.size ?? 0;
  }

  #slot(person: string): number {
    let slot = this.#slotOf.get(person);
    if (slot !== undefined) return slot;
    slot = this.#personAt.length;
    if (slot === this.#count.length) {
      this.#count = doubled(this.#count);
      this.#sums = doubled(this.#sums);
      this.#means = doubled(this.#means);
    }
    this.#personAt.push(person);
    this.#slotOf.set(person, slot);
    this.faces.set(person, new Set());
    return slot;
  }

  /** Adds (sign 1) or takes away (sign -1) one face's unit vector. */
  update(person: string, face: string, v: Float32Array, sign: 1 | -1): void {
    const slot = this.#slot(person), d = this.dim, o = slot * d;
    this.#count[slot] += sign;
    const n = this.#count[slot];
    for (let c = 0; c < d; c++) {
      this.#sums[o + c] += sign * v[c];
      this.#means[o + c] = n > 0 ? this.#sums[o + c] / n : 0;
    }
    const set = this.faces.get(person)!;
    if (sign > 0) set.add(face);
    else set.delete(face);
    if (set.size === 0) {
      // An empty person keeps its slot (zero mean, never a match) but leaves the list.
      this.#sums.fill(0, o, o + d);
      this.faces.delete(person);
      this.#slotOf.delete(person);
      this.#personAt[slot] = '';
    }
  }

  /** Mean cosine of unit vector v to the person's faces. */
  score(person: string, v: Float32Array): number {
    const slot = this.#slotOf.get(person);
    if (slot === undefined) return -Infinity;
    let s = 0;
    for (let c = 0, o = slot * this.dim; c < this.dim; c++) s += v[c] * this.#means[o + c];
    return s;
  }

  /** Per query row, up to k people by mean cosine (empty slots skipped), best first. */
  search(queries: Float32Array, k: number): { person: string; score: number }[][] {
    const nq = queries.length / this.dim, slots = this.slots;
    if (slots === 0) return Array.from({ length: nq }, () => []);
    const kk = Math.min(k, slots);
    const hits = topK(queries, this.#means.subarray(0, slots * this.dim), this.dim, kk, { metric: 'dot' });
    return Array.from({ length: nq }, (_, i) => {
      const row: { person: string; score: number }[] = [];
      for (let r = 0; r < hits.k; r++) {
        const person = this.#personAt[hits.indices[i * hits.k + r]];
        if (person !== '') row.push({ person, score: hits.scores[i * hits.k + r] });
      }
      return row;
    });
  }

  /** The person's template: the L2-normalised mean of its faces. */
  template(person: string): Float32Array | undefined {
    const slot = this.#slotOf.get(person);
    if (slot === undefined) return undefined;
    const mean = this.#means.slice(slot * this.dim, (slot + 1) * this.dim);
    const norm = Math.hypot(...mean);
    return norm > 0 ? mean.map((x) => x / norm) : mean;
  }
}
