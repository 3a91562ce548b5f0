// PeopleIndex: faces grouped into people, incrementally and durably, keeping the user's
// corrections. Faces and their embeddings live in a FaceIndex file (`path`); assignments and
// corrections in `path.people.json` + `path.people.log` (see people-log.ts). Every write goes
// to the FaceIndex first, then to the people log, so a crash in between leaves faces with no
// assignment, which the next open places again.
//
// Placement is batch average linkage made incremental: a face joins the allowed person whose
// faces it matches best on average (mean cosine >= threshold); otherwise it starts a person
// (minFaces = 1), or waits until minFaces - 1 waiting faces match it (Immich's rule).
import { clusterEmbeddingsAsync, checkThreshold } from '../cluster/graph-cluster.js';
import { threadCount } from '../core/options.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe, rowsOf } from '../core/validate.js';
import { FaceIndex, type Storage } from '../gallery/face-index.js';
import { Corrections } from './corrections.js';
import { PeopleLog, type PeopleRecord, type PeopleSnapshot } from './people-log.js';
import { HnswProposer, loadUsearch } from './hnsw-proposer.js';
import { dot, PersonTable, type CandidateProposer, type PersonHit } from './person-table.js';
import { ProjectedProposer } from './projected-proposer.js';

export type { PersonHit };

export type PeopleSearch = 'exact' | 'projected' | 'hnsw';
const PEOPLE_SEARCHES = ['exact', 'projected', 'hnsw'] as const;

export interface PeopleIndexOptions {
  /** Embedding length (needed to create the files). */
  dim?: number;
  /** Mean cosine at or above which a face belongs to a person: the recogniser's `thresholds.group` (docs/people.md). */
  threshold: number;
  /** Faces a new person needs; fewer wait (personOf gives null). Default 1. */
  minFaces?: number;
  /** How the FaceIndex stores embeddings (default 'f32'). */
  storage?: Storage;
  /** 'fsync' (default) or 'none' (tests and benchmarks). */
  durability?: 'fsync' | 'none';
  /**
   * How a face finds its candidate people (docs/people.md, Incremental adds): 'exact' (default:
   * every person's mean), 'projected' (a top-k over 128-d random projections of the means proposes
   * candidates) or 'hnsw' (an HNSW graph over the means proposes; needs the optional package
   * usearch). Proposed candidates are re-scored exactly against the means.
   */
  peopleSearch?: PeopleSearch;
}

const CANDIDATES = 8;
// Faces per people search when placing a batch: people made within a chunk are scored one by one.
const PLACE_CHUNK = 128;

/** Row i of `from`, L2-normalised, into row i of `to`. */
function unitRow(from: Float32Array, to: Float32Array, i: number, d: number): void {
  let s = 0;
  for (let c = i * d; c < (i + 1) * d; c++) s += from[c] * from[c];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let c = i * d; c < (i + 1) * d; c++) to[c] = from[c] * inv;
}

function unit(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  unitRow(v, out, 0, v.length);
  return out;
}

/** A factory of the proposer `search` names (loading usearch for 'hnsw'); none for 'exact'. */
async function proposerFor(search: PeopleSearch): Promise<((dim: number) => CandidateProposer) | undefined> {
  if (search === 'projected') return (dim) => new ProjectedProposer(dim);
  if (search === 'exact') return undefined;
  const usearch = await loadUsearch();
  return (dim) => new HnswProposer(usearch, dim, threadCount(undefined));
}

export class PeopleIndex {
  readonly #faces: FaceIndex;
  readonly #log: PeopleLog;
  readonly #threshold: number;
  readonly #minFaces: number;
  readonly #proposer: ((dim: number) => CandidateProposer) | undefined;
  #table: PersonTable;
  #assign = new Map<string, string | null>();
  #corrections: Corrections;
  #pending = new Map<string, Float32Array>();
  #next: number;
  #gen: number;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(faces: FaceIndex, log: PeopleLog, snap: PeopleSnapshot, threshold: number, minFaces: number, proposer?: (dim: number) => CandidateProposer) {
    this.#faces = faces;
    this.#log = log;
    this.#threshold = threshold;
    this.#minFaces = minFaces;
    this.#proposer = proposer;
    this.#table = this.#newTable();
    this.#corrections = Corrections.from(snap);
    this.#next = snap.next;
    this.#gen = snap.gen;
    for (const [f, p] of Object.entries(snap.assign)) this.#assign.set(f, p);
  }

  static async open(path: string, options: PeopleIndexOptions): Promise<PeopleIndex> {
    const opts = assertOptionsObject('options', options);
    const threshold = checkThreshold(opts.threshold);
    const minFaces = assertInteger('options.minFaces', opts.minFaces ?? 1, 1, 1 << 20);
    const durable = (opts.durability ?? 'fsync') === 'fsync';
    const proposer = await proposerFor(assertOneOf('options.peopleSearch', opts.peopleSearch ?? 'exact', PEOPLE_SEARCHES));
    const faces = await FaceIndex.open(path, { dim: opts.dim as number | undefined, storage: opts.storage as Storage | undefined, durability: durable ? 'fsync' : 'none' });
    const { log, snapshot, records } = await PeopleLog.open(path, durable);
    const people = new PeopleIndex(faces, log, snapshot, threshold, minFaces, proposer);
    for (const r of records) people.#apply(r);
    await people.#rebuild();
    return people;
  }

  get threshold(): number {
    return this.#threshold;
  }
  get size(): number {
    return this.#faces.size;
  }

  /** Adds faces; resolves to the person each joined (null: waiting for more faces like it). */
  add(ids: string[], embeddings: Float32Array): Promise<(string | null)[]> {
    return this.#serial(async () => {
      const n = rowsOf('embeddings', embeddings, this.#faces.dim);
      await this.#faces.add(ids, embeddings); // validates ids (strings, unique, new)
      const d = this.#faces.dim;
      const vecs = new Float32Array(n * d);
      for (let i = 0; i < n; i++) unitRow(embeddings, vecs, i, d);
      const changes = this.#placeBatch(ids, vecs);
      await this.#log.append([{ a: changes }]);
      return ids.map((id) => this.#assign.get(id) ?? null);
    });
  }

  /** Removes faces (unknown ids skipped); resolves to how many were removed. */
  remove(ids: string[]): Promise<number> {
    return this.#serial(async () => {
      const known = ids.filter((id) => typeof id === 'string' && this.#faces.has(id));
      const vectors = known.map((id) => this.#faces.get(id)!.vector);
      const removed = await this.#faces.remove(ids);
      known.forEach((id, i) => this.#unplace(id, vectors[i]));
      for (const id of known) this.#corrections.forget(id);
      await this.#log.append([{ d: known }]);
      return removed;
    });
  }

  /** The person of a face: a person id, null while it waits (or was set to nobody), undefined if unknown. */
  personOf(id: string): string | null | undefined {
    if (!this.#faces.has(id)) return undefined;
    return this.#assign.get(id) ?? null;
  }
  people(): string[] {
    return [...this.#table.faces.keys()];
  }
  facesOf(person: string): string[] {
    return [...(this.#table.faces.get(this.#corrections.resolve(person)) ?? [])];
  }
  /** The person's template: the L2-normalised mean of its faces' embeddings. */
  template(person: string): Float32Array | undefined {
    return this.#table.template(this.#corrections.resolve(person));
  }

  /**
   * The k people whose faces the embedding matches best on average, best first; among the
   * proposed candidates with peopleSearch 'projected' or 'hnsw', unless `exact` asks for every person.
   */
  searchPeople(embedding: Float32Array, k: number, options: { exact?: boolean } = {}): PersonHit[] {
    rowsOf('embedding', embedding, this.#faces.dim);
    assertInteger('k', k, 1, 1 << 20);
    const exact = assertOptionsObject('options', options).exact ?? this.#proposer === undefined;
    if (typeof exact !== 'boolean') throw new TypeError(`options.exact: expected a boolean, got ${describe(exact)}`);
    return this.#table.search(unit(embedding), k, exact)[0] ?? [];
  }

  /** "This face is this person" (or, with null, "this face is nobody"); recluster keeps it. */
  assign(faceId: string, person: string | null): Promise<void> {
    return this.#serial(async () => {
      this.#knownFace(faceId);
      const to = person === null ? null : this.#knownPerson('person', person);
      this.#moveTo(faceId, to);
      this.#corrections.locks.set(faceId, to);
      await this.#log.append([{ l: faceId, p: to }]);
    });
  }

  /** "This face is not that person": the face leaves it (and is placed again) and never rejoins it. */
  reject(faceId: string, person: string): Promise<string | null> {
    return this.#serial(async () => {
      this.#knownFace(faceId);
      const p = this.#corrections.resolve(this.#stringArg('person', person));
      this.#corrections.reject(faceId, p);
      const records: PeopleRecord[] = [{ r: faceId, p }];
      if (this.#assign.get(faceId) === p) {
        if (this.#corrections.locks.get(faceId) === p) this.#corrections.locks.delete(faceId);
        this.#moveTo(faceId, null);
        this.#pending.delete(faceId);
        records.push({ a: this.#placeBatch([faceId], this.#faces.get(faceId)!.vector) });
      }
      await this.#log.append(records);
      return this.#assign.get(faceId) ?? null;
    });
  }

  /** Merges person b into a (b's id then means a); both people's faces are kept together from now on. */
  merge(a: string, b: string): Promise<string> {
    return this.#serial(async () => {
      const into = this.#knownPerson('a', a), from = this.#knownPerson('b', b);
      if (into === from) return into;
      const rec: PeopleRecord = { m: [from, into] };
      for (const face of [...(this.#table.faces.get(from) ?? [])]) this.#moveTo(face, into);
      this.#apply(rec);
      await this.#log.append([rec]);
      return into;
    });
  }

  /**
   * Regroups every face from scratch (batch average linkage on the exact k-NN graph), keeping
   * person ids where a new group mostly holds an old person's faces, and every correction.
   */
  recluster(options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}): Promise<void> {
    return this.#serial(async () => {
      const d = this.#faces.dim, ids: string[] = [];
      const x = new Float32Array(this.#faces.size * d);
      for (const e of this.#faces.entries()) x.set(e.vector, ids.push(e.id) * d - d);
      // An int8 index is regrouped on int8 scores, as it is searched.
      const { labels } = await clusterEmbeddingsAsync(x, d, {
        threshold: this.#threshold, minFaces: this.#minFaces, signal: options.signal, onProgress: options.onProgress,
        storage: this.#faces.storage === 'i8' ? 'i8' : 'f32',
      });
      const personOfGroup = this.#matchGroups(ids, labels);
      const assign = new Map<string, string | null>();
      ids.forEach((id, i) => {
        const lock = this.#corrections.locks.get(id);
        let p = lock !== undefined ? lock : labels[i] < 0 ? null : personOfGroup.get(labels[i])!;
        if (p !== null && lock === undefined && !this.#corrections.allows(id, p)) p = this.#minFaces <= 1 ? this.#newPerson() : null;
        assign.set(id, p);
      });
      this.#assign = assign;
      await this.#rebuild();
      await this.#log.rewrite(this.#snapshot());
      this.#gen++;
    });
  }

  /** Writes assignments and corrections as one snapshot (the log starts again empty). */
  compact(): Promise<void> {
    return this.#serial(async () => {
      await this.#log.rewrite(this.#snapshot());
      this.#gen++;
    });
  }

  async close(): Promise<void> {
    await this.#serial(async () => {
      this.#closed = true;
      await this.#log.close();
      await this.#faces.close();
    });
  }

  // --- internals ---

  #serial<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('PeopleIndex: closed'));
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #stringArg(name: string, v: unknown): string {
    if (typeof v !== 'string') throw new TypeError(`${name}: expected a string, got ${describe(v)}`);
    return v;
  }
  #knownFace(id: unknown): void {
    if (!this.#faces.has(this.#stringArg('faceId', id))) throw new RangeError(`faceId: expected a face in the index, got '${id}'`);
  }
  #knownPerson(name: string, person: unknown): string {
    const p = this.#corrections.resolve(this.#stringArg(name, person));
    if (!this.#table.has(p)) throw new RangeError(`${name}: expected a person in the index, got '${person}'`);
    return p;
  }

  #newTable(): PersonTable {
    return new PersonTable(this.#faces.dim, this.#proposer?.(this.#faces.dim));
  }

  #newPerson(): string {
    return `p${this.#next++}`;
  }

  #apply(r: PeopleRecord): void {
    const seen = (p: string | null) => {
      const m = p === null ? null : /^p(\d+)$/.exec(p);
      if (m) this.#next = Math.max(this.#next, Number(m[1]) + 1);
    };
    if ('a' in r) for (const [f, p] of r.a) (this.#assign.set(f, p), seen(p));
    else if ('l' in r) (this.#corrections.locks.set(r.l, r.p), this.#assign.set(r.l, r.p));
    else if ('r' in r) this.#corrections.reject(r.r, r.p);
    else if ('d' in r) for (const f of r.d) (this.#assign.delete(f), this.#corrections.forget(f));
    else {
      const [from, into] = r.m;
      this.#corrections.merge(from, into);
      for (const [f, p] of this.#assign) {
        if (p === from || p === into) {
          this.#assign.set(f, into);
          this.#corrections.locks.set(f, into);
        }
      }
    }
  }

  /** Rebuilds people and the waiting list from the faces and the assignments; places unplaced faces. */
  async #rebuild(): Promise<void> {
    this.#table = this.#newTable();
    this.#pending.clear();
    const unplacedIds: string[] = [], unplacedVecs: Float32Array[] = [];
    const live = new Set<string>();
    for (const e of this.#faces.entries()) {
      live.add(e.id);
      const p = this.#assign.get(e.id);
      if (p === undefined) (unplacedIds.push(e.id), unplacedVecs.push(e.vector));
      else if (p !== null) this.#table.update(p, e.id, e.vector, 1);
      else if (this.#corrections.locks.get(e.id) !== null) this.#pending.set(e.id, e.vector);
    }
    for (const f of [...this.#assign.keys()]) if (!live.has(f)) this.#assign.delete(f);
    if (unplacedIds.length > 0) {
      const vecs = new Float32Array(unplacedIds.length * this.#faces.dim);
      unplacedVecs.forEach((v, i) => vecs.set(v, i * this.#faces.dim));
      await this.#log.append([{ a: this.#placeBatch(unplacedIds, vecs) }]);
    }
  }

  /** Places faces (unit rows); returns the assignment records. */
  #placeBatch(ids: string[], vecs: Float32Array): [string, string | null][] {
    const d = this.#faces.dim, out: [string, string | null][] = [];
    // One people search per chunk; people created inside a chunk are scored directly.
    for (let i0 = 0; i0 < ids.length; i0 += PLACE_CHUNK) {
      const i1 = Math.min(ids.length, i0 + PLACE_CHUNK);
      const hits = this.#table.candidates(vecs.subarray(i0 * d, i1 * d), CANDIDATES);
      const created: string[] = [];
      for (let i = i0; i < i1; i++) this.#placeOne(ids[i], vecs.subarray(i * d, (i + 1) * d), hits[i - i0], created, out);
    }
    return out;
  }

  /** Places one face among `candidates` and `created` (re-scored against the current means); a new person goes to `created`. */
  #placeOne(id: string, v: Float32Array, candidates: string[], created: string[], out: [string, string | null][]): void {
    const rejected = this.#corrections.rejects.get(id);
    const people = rejected ? [...candidates, ...created].filter((p) => !rejected.has(p)) : [...candidates, ...created];
    const scores = this.#table.scores(v, people);
    let best: string | null = null, bestScore = this.#threshold;
    for (let j = 0; j < people.length; j++) if (scores[j] >= bestScore) (best = people[j]), (bestScore = scores[j]);
    if (best !== null) {
      this.#table.update(best, id, v, 1);
      this.#assign.set(id, best);
      out.push([id, best]);
      return;
    }
    const near = this.#minFaces <= 1 ? [] : this.#nearPending(v);
    if (near.length + 1 >= this.#minFaces) {
      const person = this.#newPerson();
      created.push(person);
      for (const [f, fv] of [[id, v] as const, ...near]) {
        this.#pending.delete(f);
        this.#table.update(person, f, fv, 1);
        this.#assign.set(f, person);
        out.push([f, person]);
      }
      return;
    }
    this.#pending.set(id, Float32Array.from(v));
    this.#assign.set(id, null);
    out.push([id, null]);
  }

  #nearPending(v: Float32Array): [string, Float32Array][] {
    const near: [string, Float32Array][] = [];
    for (const [f, fv] of this.#pending) if (dot(v, 0, fv, 0, v.length) >= this.#threshold) near.push([f, fv]);
    return near;
  }

  #unplace(face: string, v: Float32Array): void {
    const p = this.#assign.get(face);
    if (p) this.#table.update(p, face, v, -1);
    this.#pending.delete(face);
    this.#assign.delete(face);
  }

  #moveTo(face: string, to: string | null): void {
    const v = this.#faces.get(face)!.vector, from = this.#assign.get(face);
    if (from === to) return;
    if (from) this.#table.update(from, face, v, -1);
    this.#pending.delete(face);
    if (to !== null) this.#table.update(to, face, v, 1);
    this.#assign.set(face, to);
  }

  /** New group -> person id: greedy one-to-one by the number of faces a group shares with an old person. */
  #matchGroups(ids: string[], labels: Int32Array): Map<number, string> {
    const overlap = new Map<string, number>();
    ids.forEach((id, i) => {
      const p = this.#assign.get(id);
      if (labels[i] >= 0 && p) overlap.set(`${labels[i]}\u0000${p}`, (overlap.get(`${labels[i]}\u0000${p}`) ?? 0) + 1);
    });
    const pairs = [...overlap].map(([key, n]) => {
      const [g, p] = key.split('\u0000');
      return { g: Number(g), p, n };
    }).sort((x, y) => y.n - x.n || x.g - y.g || (x.p < y.p ? -1 : 1));
    const out = new Map<number, string>(), used = new Set<string>();
    for (const { g, p, n } of pairs) {
      if (n === 0 || out.has(g) || used.has(p)) continue;
      out.set(g, p);
      used.add(p);
    }
    for (const l of labels) if (l >= 0 && !out.has(l)) out.set(l, this.#newPerson());
    return out;
  }

  #snapshot(): PeopleSnapshot {
    const s: PeopleSnapshot = { gen: this.#gen, next: this.#next, assign: Object.fromEntries(this.#assign), locks: {}, rejects: {}, aliases: {} };
    this.#corrections.save(s);
    return s;
  }
}
