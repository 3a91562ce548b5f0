// Embeddings on disk, keyed by the image's content hash and the model setup, so a second
// `facecore eval` over the same photos only reads files. One small file per image:
//   <dir>/embeddings/<model key>/<sha256 of the image bytes>.f32
// holding the float32 embedding (little-endian), or nothing when the image has no face.
// Writes are atomic (temp + rename): a killed run leaves whole entries or none.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../models/convert/cache.js';

export class EmbeddingCache {
  readonly dir: string;
  hits = 0;
  misses = 0;
  #ready: Promise<unknown> | undefined;

  constructor(root: string, modelKey: string, readonly dim: number) {
    this.dir = path.join(root, 'embeddings', modelKey);
  }

  #file(imageHash: string): string {
    return path.join(this.dir, `${imageHash}.f32`);
  }

  /** The cached embedding, null for a cached "no face", undefined when absent or unusable. */
  async get(imageHash: string): Promise<Float32Array | null | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#file(imageHash));
    } catch {
      this.misses++;
      return undefined;
    }
    if (bytes.length === 0) {
      this.hits++;
      return null;
    }
    // A file of the wrong size (another dim, a foreign file) is ignored and rewritten.
    if (bytes.length !== this.dim * 4) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const out = new Float32Array(this.dim);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  /** Stores an embedding (or null for "no face"); a failure to write only costs the cache. */
  async set(imageHash: string, embedding: Float32Array | null): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true });
    try {
      await this.#ready;
      const bytes = embedding === null ? new Uint8Array(0) : new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength);
      await writeFileAtomic(this.#file(imageHash), bytes);
    } catch {
      // Read-only or full disk: carry on uncached.
    }
  }
}
