// Face detectors: the runner, the family sniffing loader, and the shared types.
export { Detector } from './detector.js';
export { detectorFamily, loadDetectorModel, type DetectorFamily, type DetectorLoadOptions } from './load-detector.js';
export type { Box, DetectedFace, DetectOptions, LandmarkKind } from './types.js';
