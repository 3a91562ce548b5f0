// facecore's public surface (re-exports only).
export { similarityMatrix, similarityMatrixAsync, type SimilarityOptions } from './core/similarity.js';
export { laplacianVariance, laplacianVarianceAsync, type LaplacianVarianceOptions } from './core/quality.js';
export { topK, topKAsync, type TopKOptions, type TopKResult } from './core/topk.js';
export { knnGraph, type KnnGraph, type KnnGraphOptions, type KnnRows } from './core/knn.js';
export { defaultThreads, type Metric } from './core/options.js';
export { getIsa, detectedIsa, setIsa, kernelIsas, type IsaName, type KernelIsas } from './core/cpu.js';
export { measureMachineLimits, cudaDeviceCount, type MachineLimits, type MachineLimitsOptions } from './core/machine.js';
export * from './eval/metrics.js';
export * from './eval/groups.js';
export * from './eval/csv.js';
export * from './eval/plot.js';
export * from './eval/report.js';
export * from './eval/score-pairs.js';
export { clusteringScores, type ClusteringScores, type PrecisionRecall } from './eval/clustering-metrics.js';
export { clusterEmbeddings, type ClusterOptions, type Clustering, type Linkage } from './cluster/agglomerative.js';
export { clusterEmbeddingsAsync, clusterGraph, type GraphClusterOptions, type GraphLinkage } from './cluster/graph-cluster.js';
export { PeopleIndex, type PeopleIndexOptions, type PeopleSearch, type PersonHit } from './people/people-index.js';
export { aggregateTemplate } from './cluster/template.js';
export {
  convertTfjsGraph,
  convertTfjsArtifacts,
  convertTfjsGraphCached,
  defaultModelPath,
  defaultCacheDir,
  humanModelJsonPath,
  supportedOps,
  ConversionError,
  FACE_MODEL_NAMES,
  type FaceModelName,
  type ConvertOptions,
  type CachedConvertOptions,
  type TfGraphModelArtifacts,
} from './models/convert/index.js';
export { ARCFACE_TEMPLATE_112, templateForSize } from './align/templates.js';
export { estimateSimilarity, estimateAffine, invertAffine, transformPoints, type Points } from './align/transform.js';
export {
  warpAffine, warpAffineAsync, type WarpOptions, type Matrices, type Interpolation, type BorderMode, type WarpOutput,
  type ChannelOrder,
} from './align/warp.js';
export { alignFaces, alignFacesAsync, type AlignOptions, type AlignResult, type Landmarks } from './align/align-faces.js';
export type { RawImage } from './core/warp.js';
export {
  marginSoftmaxLoss, marginSoftmaxLossAsync, ARCFACE_MARGIN, COSFACE_MARGIN, type MarginSoftmaxOptions, type MarginSoftmaxResult,
} from './core/margin.js';
export { sampleClasses, type SampledClasses } from './train/partial-fc.js';
export {
  MarginHead, type MarginHeadOptions, type StepResult, type Prediction, type Optimizer, type Schedule,
} from './train/margin-head.js';
export {
  FaceIndex, type FaceIndexOptions, type OpenOptions, type AddOptions, type FaceEntry, type FaceRecord,
  type SearchOptions, type SearchLabelsOptions, type FaceHit, type LabelHit, type Storage, type Durability, type WalRecovery,
} from './gallery/face-index.js';
export type { Gallery, GalleryFilter, GallerySearchOptions, GallerySearchLabelsOptions, GalleryAddOptions } from './gallery/gallery.js';
export { CorruptIndexError, IndexLockedError } from './gallery/errors.js';
export { PostgresStore, type StoreOptions, type StoredFace, type Change, type ChangeBatch, type FaceToAdd } from './store/postgres-store.js';
export { PostgresGallery } from './store/postgres-gallery.js';
export { ShardReplica, type ReplicaOptions } from './store/replica.js';
export { shardOf, type ShardSlice } from './store/shard.js';
export { decodeImage, DEFAULT_MAX_PIXELS, type DecodeOptions, type ImageInput, type RgbImage } from './image/decode.js';
export { ModelSession, liveSessions, type SessionOptions, type GraphOptimization } from './models/session.js';
export { Detector, loadDetectorModel, detectorFamily, type DetectorFamily, type DetectorLoadOptions } from './models/detectors/index.js';
export type { Box, DetectedFace, DetectOptions, LandmarkKind } from './models/detectors/types.js';
export { Recognizer, type RecognizerOptions, type RecognizerThresholds, type Preprocessing } from './models/embedders/recognizer.js';
export {
  loadDetector, loadRecognizer, DEFAULT_DETECTOR, DEFAULT_RECOGNIZER, DEFAULT_YUNET_SIZE, DETECTOR_NAMES, RECOGNIZER_NAMES,
  type DetectorName, type RecognizerName,
} from './models/registry.js';
export { SHIPPED_MODELS, SHIPPED_MODELS_DIR, shippedModelPath, type ShippedModelName } from './models/shipped.js';
export { decodeShrunk, type ShrinkOptions, type ShrunkImage } from './image/shrink-on-load.js';
export {
  FaceAnalyzer, DEFAULT_DECODE_MAX_SIDE, type FaceAnalyzerOptions, type AnalyzedFace, type AnalyzedFaces, type AnalyzeOptions, type BatchOptions,
  type BatchError, type VerifyResult, type StageTimings,
} from './pipeline/face-analyzer.js';
export {
  estimatePose, faceSize, overallQuality, DEFAULT_MIN_FACE_SIZE, type FaceQuality, type Pose, type QualityOptions,
} from './pipeline/quality.js';
export { mainFace } from './pipeline/main-face.js';
