// Turns a pair list into verification scores with any embedding function: every distinct image
// is embedded once (cached), then each pair scores the cosine of its two embeddings. The face
// pipeline plugs in as `embed`; nothing here knows about models.

import path from 'node:path';
import type { PairRow } from './csv.js';
import { describeValue } from './validate.js';

/** Embeds one image file; null means no face was found (the image's pairs are skipped). */
export type EmbedFn = (file: string) => Promise<Float32Array | null>;

export interface SkippedImage {
  file: string;
  reason: string;
}

export interface ScoredPairs {
  scores: Float64Array;
  same: Uint8Array;
  /** Indices into the input pairs that were scored (pairs with a skipped image are left out). */
  kept: Uint32Array;
  skippedImages: SkippedImage[];
  skippedPairs: number;
  embeddedImages: number;
  dim: number;
}

export interface ScorePairsOptions {
  /** Folder the pair paths are relative to. */
  root: string;
  embed: EmbedFn;
  /** Called after each image with (done, total). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Cosine similarity in float64. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  // A zero vector matches nothing.
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Embeds each distinct image of `pairs` once and scores every pair. An image whose embed call
 * throws (unreadable) or returns null (no face) is recorded in skippedImages and its pairs are
 * dropped; embeddings of different lengths are an error.
 */
export async function scorePairs(pairs: readonly PairRow[], options: ScorePairsOptions): Promise<ScoredPairs> {
  if (!Array.isArray(pairs)) throw new TypeError(`pairs: expected an array of pair rows, got ${describeValue(pairs)}`);
  if (typeof options?.root !== 'string') throw new TypeError(`options.root: expected a folder path, got ${describeValue(options?.root)}`);
  if (typeof options.embed !== 'function') throw new TypeError(`options.embed: expected a function (file) => Promise<Float32Array | null>, got ${describeValue(options.embed)}`);
  const files = [...new Set(pairs.flatMap((p) => [p.fileA, p.fileB]))];
  const embeddings = new Map<string, Float32Array>();
  const skippedImages: SkippedImage[] = [];
  let dim = -1;
  for (let i = 0; i < files.length; i++) {
    options.signal?.throwIfAborted();
    const file = files[i];
    let e: Float32Array | null;
    try {
      e = await options.embed(path.resolve(options.root, file));
    } catch (err) {
      skippedImages.push({ file, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
      options.onProgress?.(i + 1, files.length);
      continue;
    }
    if (e === null) skippedImages.push({ file, reason: 'no face found' });
    else if (!(e instanceof Float32Array)) throw new TypeError(`embed(${JSON.stringify(file)}): expected a Float32Array or null, got ${describeValue(e)}`);
    else {
      if (dim === -1) dim = e.length;
      else if (e.length !== dim) throw new RangeError(`embed(${JSON.stringify(file)}): expected an embedding of length ${dim} like the others, got ${e.length}`);
      embeddings.set(file, e);
    }
    options.onProgress?.(i + 1, files.length);
  }
  const scores: number[] = [];
  const same: number[] = [];
  const kept: number[] = [];
  pairs.forEach((p, i) => {
    const a = embeddings.get(p.fileA);
    const b = embeddings.get(p.fileB);
    if (!a || !b) return;
    scores.push(cosine(a, b));
    same.push(p.same ? 1 : 0);
    kept.push(i);
  });
  return {
    scores: Float64Array.from(scores),
    same: Uint8Array.from(same),
    kept: Uint32Array.from(kept),
    skippedImages,
    skippedPairs: pairs.length - kept.length,
    embeddedImages: embeddings.size,
    dim: Math.max(dim, 0),
  };
}
