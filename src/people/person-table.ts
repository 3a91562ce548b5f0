// The people as vectors: per person the sum of its faces' unit embeddings and, in one
// matrix, the mean (sum / count). A face's mean cosine to a person's faces is one dot product
// with the mean, so incremental placement uses the same rule as batch average linkage and a
// search costs one row per person, not per face; with a CandidateProposer it costs the
// proposal plus the candidates, re-scored exactly.
import { doubled } from '../cluster/doubled.js';
import { similarityMatrix } from '../core/similarity.js';
import { topK } from '../core/topk.js';

/** Proposes candidate slots for queries; PersonTable re-scores them exactly. */
export interface CandidateProposer {
  /** The slot's mean moved (or the slot emptied); looked at before the next proposal. */
  changed(slot: number): void;
  /** Per query row, up to k candidate slots (-1 past the found ones), row-major. */
  propose(queries: Float32Array, means: Float32Array, k: number): Int32Array;
}

export interface PersonHit {
  person: string;
  /** Mean cosine of the query to the person's faces. */
  score: number;
}

// Candidates the proposer is asked for per query (at least k): placement scores all of them
// exactly, so a person the proposal ranks a little low still wins (32: docs/people.md).
const PROPOSED = 32;

export class PersonTable {
  readonly dim: number;
  #slotOf = new Map<string, number>();
  #personAt: string[] = [];
  #count = new Int32Array(64);
  #sums: Float32Array;
  #means: Float32Array;
  readonly faces = new Map<string, Set<string>>();
  readonly #proposer: CandidateProposer | undefined;
  /** scores(): the people's means gathered into rows, and their scores (reused: one call per placed face). */
  #gathered = new Float32Array(0);
  #scored = new Float32Array(0);

  constructor(dim: number, proposer?: CandidateProposer) {
    this.dim = dim;
    this.#proposer = proposer;
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
    const n = this.#count[slot], sums = this.#sums, means = this.#means;
    for (let c = 0; c < d; c++) {
      sums[o + c] += sign * v[c];
      means[o + c] = n > 0 ? sums[o + c] / n : 0;
    }
    this.#proposer?.changed(slot);
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

  /**
   * Mean cosine of unit vector v to each person's faces, in order (-Infinity for one not in the
   * table): their means gathered into rows and scored in one kernel call, since per person a dot
   * product in JS over a mean far apart in memory cost placement most of its time.
   * The returned array is reused by the next call.
   */
  scores(v: Float32Array, people: readonly string[]): Float32Array {
    const d = this.dim, n = people.length;
    if (this.#scored.length < 2 * n) {
      const room = 2 * n;
      this.#gathered = new Float32Array(room * d);
      this.#scored = new Float32Array(2 * room);
    }
    const slots = people.map((p) => this.#slotOf.get(p) ?? -1);
    let rows = 0;
    for (const slot of slots) if (slot >= 0) this.#gathered.set(this.#means.subarray(slot * d, (slot + 1) * d), rows++ * d);
    const out = this.#scored.subarray(0, n);
    if (rows > 0) similarityMatrix(v, this.#gathered.subarray(0, rows * d), d, { metric: 'dot', threads: 1, out: this.#scored.subarray(n, n + rows) });
    for (let j = 0, r = n; j < n; j++) out[j] = slots[j] < 0 ? -Infinity : this.#scored[r++];
    return out;
  }

  /**
   * Per query row, up to k people by mean cosine (empty slots skipped), best first: all people
   * (exact), or the proposer's candidates re-scored exactly (approximate, when there is one).
   */
  search(queries: Float32Array, k: number, exact = this.#proposer === undefined): PersonHit[][] {
    const nq = queries.length / this.dim, slots = this.slots;
    if (slots === 0) return Array.from({ length: nq }, () => []);
    if (!exact) return this.#rescored(queries, this.#proposed(queries, k), k);
    const means = this.#means.subarray(0, slots * this.dim);
    const hits = topK(queries, means, this.dim, Math.min(k, slots), { metric: 'dot' });
    return Array.from({ length: nq }, (_, i) => {
      const row: PersonHit[] = [];
      for (let r = 0; r < hits.k; r++) {
        const person = this.#personAt[hits.indices[i * hits.k + r]];
        if (person !== '') row.push({ person, score: hits.scores[i * hits.k + r] });
      }
      return row;
    });
  }

  /**
   * Per query row, the people to score for it, unscored: the exact top k, or all the proposer's
   * candidates (placement scores them itself against the means as they move).
   */
  candidates(queries: Float32Array, k: number): string[][] {
    if (this.#proposer === undefined || this.slots === 0) return this.search(queries, k, true).map((row) => row.map((h) => h.person));
    const slots = this.#proposed(queries, k), per = slots.length / (queries.length / this.dim), out: string[][] = [];
    for (let r0 = 0; r0 < slots.length; r0 += per) {
      const row: string[] = [];
      for (let r = r0; r < r0 + per; r++) if (slots[r] >= 0 && this.#personAt[slots[r]] !== '') row.push(this.#personAt[slots[r]]);
      out.push(row);
    }
    return out;
  }

  /** The proposer's candidate slots per query row (row-major, -1 = none). */
  #proposed(queries: Float32Array, k: number): Int32Array {
    return this.#proposer!.propose(queries, this.#means.subarray(0, this.slots * this.dim), Math.max(k, PROPOSED));
  }

  /** Candidate slots (row-major, -1 = none) scored against the current means; best k per row, ties to the lower slot. */
  #rescored(queries: Float32Array, slots: Int32Array, k: number): PersonHit[][] {
    const d = this.dim, per = slots.length / (queries.length / d), out: PersonHit[][] = [];
    for (let i = 0; i * d < queries.length; i++) {
      const scored: { slot: number; score: number }[] = [];
      for (let r = i * per; r < (i + 1) * per; r++) {
        const slot = slots[r];
        if (slot < 0 || this.#personAt[slot] === '') continue;
        scored.push({ slot, score: dot(queries, i * d, this.#means, slot * d, d) });
      }
      scored.sort((a, b) => b.score - a.score || a.slot - b.slot);
      out.push(scored.slice(0, k).map(({ slot, score }) => ({ person: this.#personAt[slot], score })));
    }
    return out;
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

/** a[ao .. ao + d) . b[bo .. bo + d), summed in order (the same bits wherever it is called). */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[ao + c] * b[bo + c];
  return s;
}
