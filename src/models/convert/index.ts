export { convertTfjsGraph, convertTfjsArtifacts, CONVERTER_VERSION, ONNX_OPSET, type ConvertOptions } from './convert.js';
export { convertTfjsGraphCached, defaultCacheDir, type CachedConvertOptions } from './cache.js';
export { defaultModelPath, humanModelJsonPath, FACE_MODEL_NAMES, type FaceModelName } from './default-models.js';
export { ConversionError, type LayoutMode } from './context.js';
export { supportedOps } from './ops/index.js';
export type { TfGraphModelArtifacts } from './tfjs-model.js';
