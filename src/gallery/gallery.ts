// The Gallery interface: what any face gallery offers (FaceIndex, embedded; a PostgreSQL
// store next). Filters are declarative data, not callbacks, so a database can run them.
import type { Meta } from './row-store.js';

export interface GalleryFilter {
  /** Only faces of these identities. */
  labels?: string[];
  /** Only these faces. */
  ids?: string[];
  /** Never these faces. */
  excludeIds?: string[];
  /** Only faces whose meta has each of these top-level keys equal to the value (strings, numbers, booleans, null). */
  meta?: Record<string, string | number | boolean | null>;
}

export interface GallerySearchOptions {
  /** Hits scoring below this never come back (open-set: no match rather than a wrong one). */
  minScore?: number;
  /** Candidates: faces matching every field given (all faces when absent). */
  filter?: GalleryFilter;
  /** Threads for the kernel (default: the machine's cores). */
  threads?: number;
}

export interface GallerySearchLabelsOptions extends GallerySearchOptions {
  /** An identity's score: its best face ('max', default) or the mean over its candidate faces. */
  aggregate?: 'max' | 'mean';
}

export interface GalleryAddOptions {
  /** The identity of each face (default: the face's own id). */
  labels?: string[];
  /** A JSON-serialisable object per face (or null/undefined). */
  meta?: (Meta | null | undefined)[];
}

export interface FaceEntry {
  id: string;
  label: string;
  meta?: Meta;
}

export interface FaceRecord extends FaceEntry {
  /** The stored vector as float32 (normalised for cosine; dequantised for f16/i8). */
  vector: Float32Array;
}

export interface FaceHit {
  id: string;
  label: string;
  score: number;
}

export interface LabelHit {
  label: string;
  score: number;
}

export interface Gallery {
  readonly dim: number;
  readonly size: number;
  /** Adds faces; rejects (and changes nothing) on bad input or an id already present. */
  add(ids: string[], vectors: Float32Array, options?: GalleryAddOptions): Promise<void>;
  /** Removes faces by id (unknown ids are skipped); resolves to how many were removed. */
  remove(ids: string[]): Promise<number>;
  get(id: string): FaceRecord | undefined | Promise<FaceRecord | undefined>;
  has(id: string): boolean | Promise<boolean>;
  /** Per query row, the k best faces, best first; ties go to the earlier-added face. */
  search(queries: Float32Array, k: number, options?: GallerySearchOptions): Promise<FaceHit[][]>;
  /** Per query row, the k best identities. */
  searchLabels(queries: Float32Array, k: number, options?: GallerySearchLabelsOptions): Promise<LabelHit[][]>;
  /** Every face. */
  entries(): Iterable<FaceRecord> | AsyncIterable<FaceRecord>;
}
