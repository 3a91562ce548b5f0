// facecore's public surface (re-exports only).
export { similarityMatrix, similarityMatrixAsync, type SimilarityOptions } from './core/similarity.js';
export { topK, topKAsync, type TopKOptions, type TopKResult } from './core/topk.js';
export { defaultThreads, type Metric } from './core/options.js';
export { getIsa, detectedIsa, setIsa, type IsaName } from './core/cpu.js';
export {
  FaceIndex, type FaceIndexOptions, type OpenOptions, type AddOptions, type FaceEntry, type FaceRecord,
  type SearchOptions, type SearchLabelsOptions, type FaceHit, type LabelHit, type Storage, type Durability,
} from './index/face-index.js';
export { CorruptIndexError, IndexLockedError } from './index/errors.js';
