// Detector landmarks -> the recogniser's input tensor, through src/align (native warp fused
// with normalisation). 5-point detectors map onto the ArcFace template; BlazeFace's eyes, nose
// tip and mouth centre map onto the template's eyes, nose tip and the midpoint of its mouth corners.
import { alignFaces, alignFacesAsync, type AlignOptions, type AlignResult } from '../align/align-faces.js';
import { templateForSize } from '../align/templates.js';
import type { RgbImage } from '../image/decode.js';
import type { DetectedFace, LandmarkKind } from '../models/detectors/types.js';
import type { Preprocessing } from '../models/embedders/recognizer.js';

/** Points of a face used for alignment, and the template points they go to, for a crop of `size`. */
export function alignmentPoints(kind: LandmarkKind, size: number): { template: Float64Array; pick: (landmarks: Float32Array) => Float32Array } {
  const t = templateForSize(size);
  switch (kind) {
    case 'arcface5':
      return { template: t, pick: (l) => l.subarray(0, 10) };
    case 'blazeface6':
      return {
        template: Float64Array.of(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, (t[6]! + t[8]!) / 2, (t[7]! + t[9]!) / 2),
        pick: (l) => l.subarray(0, 8),
      };
    default:
      throw new RangeError(`detector: expected one that predicts landmarks (for alignment), got one with landmark kind '${kind}'`);
  }
}

// Up to this many crop pixels (8 faces at 112 px) warp in well under 1 ms: on the main thread they
// skip a round trip through the thread pool, which costs more than the warp on a busy machine.
const SYNC_MAX_PIXELS = 8 * 112 * 112;

/** True when `faces` crops of `size` px are small enough work for the main thread. */
export function smallCropWork(faces: number, size: number): boolean {
  return faces * size * size <= SYNC_MAX_PIXELS;
}

/** alignFaces into float32 NCHW, on the main thread when the work is small (smallCropWork), else off it. */
export async function alignCrops(image: RgbImage, landmarks: readonly Float32Array[], options: AlignOptions & { size: number }): Promise<AlignResult<Float32Array>> {
  const opts = { ...options, output: 'float32-nchw' as const };
  return smallCropWork(landmarks.length, options.size) ? alignFaces(image, landmarks, opts) : alignFacesAsync(image, landmarks, opts);
}

/** Aligned, normalised crops of `faces` as one [n, 3, size, size] tensor. */
export async function alignForRecognizer(image: RgbImage, faces: readonly DetectedFace[], kind: LandmarkKind, pre: Preprocessing): Promise<Float32Array> {
  if (faces.length === 0) return new Float32Array(0);
  const { template, pick } = alignmentPoints(kind, pre.size);
  // alignFaces takes mean / std per output channel, i.e. in the model's channel order.
  const inOrder = <T>(rgb: readonly T[]) => (pre.order === 'rgb' ? [...rgb] : [...rgb].reverse());
  const { tensor } = await alignCrops(image, faces.map((f) => pick(f.landmarks)), {
    size: pre.size,
    template,
    mean: inOrder(pre.mean),
    std: inOrder(pre.std),
    channelOrder: pre.order,
  });
  return tensor;
}
