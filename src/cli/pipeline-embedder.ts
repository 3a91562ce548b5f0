// The face pipeline as the `embed(file)` function `facecore eval` scores pairs with: decode ->
// detect -> align -> embed, keeping the photo's main face, with the on-disk embedding cache.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { defaultCacheDir } from '../models/convert/cache.js';
import type { Embedder } from './command.js';
import { EmbeddingCache } from './embedding-cache.js';
import { mainFace, modelKey, modelName, openAnalyzer, type ModelChoice } from './models.js';

export interface PipelineEmbedderOptions extends ModelChoice {
  /** Cache root (default FACECORE_CACHE or ~/.cache/facecore); false turns the cache off. */
  cacheDir?: string | false;
}

export interface PipelineEmbedder extends Embedder {
  /** The model setup's key (see modelKey). */
  key: string;
  cache: EmbeddingCache | undefined;
  close(): Promise<void>;
}

export async function createPipelineEmbedder(options: PipelineEmbedderOptions = {}): Promise<PipelineEmbedder> {
  const analyzer = await openAnalyzer(options);
  const key = modelKey(analyzer);
  const cache = options.cacheDir === false ? undefined : new EmbeddingCache(options.cacheDir ?? defaultCacheDir(), key, analyzer.recognizer.dim);
  return {
    name: modelName(analyzer),
    key,
    cache,
    // A throw (unreadable file) or null (no face) makes eval skip the image with a warning.
    async embed(file: string): Promise<Float32Array | null> {
      const bytes = await readFile(file);
      const hash = createHash('sha256').update(bytes).digest('hex');
      const cached = await cache?.get(hash);
      if (cached !== undefined) return cached;
      const faces = await analyzer.analyze(bytes);
      const face = mainFace(faces, faces.width, faces.height);
      const embedding = face?.embedding ?? null;
      await cache?.set(hash, embedding);
      return embedding;
    },
    close: () => analyzer.dispose(),
  };
}
