// Face quality: detection score, face size, head pose from the landmarks and sharpness of the
// aligned crop, combined into one `overall` in [0, 1]; FaceAnalyzer drops faces below
// `minFaceSize` / `minQuality` before they are aligned and embedded (docs/pipeline.md "Quality").
import { laplacianVariance, laplacianVarianceAsync } from '../core/quality.js';
import { describe } from '../core/validate.js';
import type { RgbImage } from '../image/decode.js';
import type { Box, DetectedFace, LandmarkKind } from '../models/detectors/types.js';
import { alignCrops, alignmentPoints, smallCropWork } from './align-step.js';

export interface FaceQuality {
  /** The detector's score. */
  score: number;
  /** Shorter side of the box, clipped to the image, in source pixels. */
  size: number;
  /** Head pose in degrees, estimated from the landmarks (see estimatePose). */
  yaw: number;
  pitch: number;
  roll: number;
  /** Variance of the Laplacian of the 112x112 ArcFace crop, grey levels 0..255 squared. */
  sharpness: number;
  /** score x size factor x pose factor x sharpness factor, in [0, 1] (see overallQuality). */
  overall: number;
}

export interface QualityOptions {
  /** Skip faces whose box (clipped to the image) has a side under this many pixels (default 20). */
  minFaceSize?: number;
  /** Skip faces whose `quality.overall` is under this (default 0: keep all). */
  minQuality?: number;
}

export const DEFAULT_MIN_FACE_SIZE = 20;

/** Validated quality options with their defaults. */
export function qualityOptions(options: QualityOptions): Required<QualityOptions> {
  const check = (name: keyof QualityOptions, fallback: number, max: number) => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number') throw new TypeError(`options.${name}: expected a number, got ${describe(v)}`);
    if (!(v >= 0 && v <= max)) throw new RangeError(`options.${name}: expected a number in [0, ${max}], got ${v}`);
    return v;
  };
  return { minFaceSize: check('minFaceSize', DEFAULT_MIN_FACE_SIZE, 1 << 20), minQuality: check('minQuality', 0, 1) };
}

/** Shorter side of `box` after clipping it to a width x height image (0 if outside). */
export function faceSize(box: Box, width: number, height: number): number {
  const w = Math.min(box[2], width) - Math.max(box[0], 0);
  const h = Math.min(box[3], height) - Math.max(box[1], 0);
  return Math.max(0, Math.min(w, h));
}

// A generic head in units of the inter-ocular distance (x right, y down, z towards the camera,
// eye centres at (-0.5, 0, 0) and (0.5, 0, 0)). x and y of the nose tip and mouth come from the
// ArcFace template; depths from the mean 3D head used in OpenCV head-pose examples (nose tip
// ~0.43 in front of the eyes, mouth corners ~0.40 behind the nose tip).
const NOSE_Y = (71.7366 - 51.5989) / 35.2372;
const MOUTH_Y = (92.2848 - 51.5989) / 35.2372;
const NOSE_Z = 0.43;
const MOUTH_Z = 0.03;
const DEG = 180 / Math.PI;

export interface Pose {
  /** > 0: the face turns towards the image's right (nose right of the eye-mouth midline). */
  yaw: number;
  /** > 0: the face tilts up (nose nearer the eyes). The roughest of the three: nose length varies by person. */
  pitch: number;
  /** > 0: clockwise in the image (the image-right eye lower). */
  roll: number;
}

/**
 * Head pose in degrees from 5 ('arcface5') or BlazeFace's ('blazeface6') landmarks: an
 * estimate. Roll is the eye line's angle; then, in the frame where the eyes are level, yaw
 * comes from the nose's horizontal offset from the eye-mouth midline over the eye distance
 * (= NOSE_Z' tan(yaw) on the generic head, orthographic camera) and pitch from where the nose
 * sits between the eyes and the mouth. Not validated against ground truth (think +-10 degrees,
 * more past 45); pitch carries each person's nose length and the detector's idea of the nose tip.
 */
export function estimatePose(landmarks: ArrayLike<number>, kind: LandmarkKind = 'arcface5'): Pose {
  const l = landmarks;
  const mouthX = kind === 'blazeface6' ? l[6]! : (l[6]! + l[8]!) / 2;
  const mouthY = kind === 'blazeface6' ? l[7]! : (l[7]! + l[9]!) / 2;
  const ex = (l[0]! + l[2]!) / 2, ey = (l[1]! + l[3]!) / 2;
  const dx = l[2]! - l[0]!, dy = l[3]! - l[1]!;
  const eyes = Math.hypot(dx, dy);
  if (!(eyes > 0)) return { yaw: 0, pitch: 0, roll: 0 };
  const roll = Math.atan2(dy, dx);
  // Eye-level frame, unit = the observed eye distance.
  const c = Math.cos(roll) / eyes, s = Math.sin(roll) / eyes;
  const level = (x: number, y: number) => [(x - ex) * c + (y - ey) * s, -(x - ex) * s + (y - ey) * c] as const;
  const [nx, ny] = level(l[4]!, l[5]!);
  const [mx, my] = level(mouthX, mouthY);
  // Yaw: nose x - midline x = (NOSE_Z - MOUTH_Z / 2) sin(yaw); eye distance = cos(yaw).
  const yaw = Math.atan2(nx - mx / 2, NOSE_Z - MOUTH_Z / 2);
  // Pitch: ratio = (NOSE_Y - NOSE_Z t) / (MOUTH_Y - MOUTH_Z t), t = tan(pitch); both in the eye-distance unit.
  const ratio = my > 0 ? ny / my : NOSE_Y / MOUTH_Y;
  const pitch = Math.atan2(NOSE_Y - ratio * MOUTH_Y, NOSE_Z - ratio * MOUTH_Z);
  return { yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG };
}

// Factors of `overall`, each in [0, 1]. Chosen by hand from the shared photos (docs/pipeline.md).
/** Face size: 0 at 16 px or less, 1 from 64 px (recognisers take 112 px crops; below ~30 px they are upsampled blur). */
export function sizeFactor(size: number): number {
  return Math.min(1, Math.max(0, (size - 16) / 48));
}
/** Pose: cos^2 of yaw (1 frontal, 0.5 at 45 degrees, 0 in profile); roll is undone by alignment and pitch too rough to use. */
export function poseFactor(yaw: number): number {
  const c = Math.cos(Math.min(90, Math.abs(yaw)) / DEG);
  return c * c;
}
export const SHARPNESS_HALF = 25;
/** Sharpness v: v / (v + SHARPNESS_HALF), 0.5 at SHARPNESS_HALF grey levels squared. */
export function sharpnessFactor(sharpness: number): number {
  return sharpness / (sharpness + SHARPNESS_HALF);
}

/** The single scalar in [0, 1]: detector score x size x pose x sharpness factors. */
export function overallQuality(q: Omit<FaceQuality, 'overall'>): number {
  return Math.min(1, Math.max(0, q.score)) * sizeFactor(q.size) * poseFactor(q.yaw) * sharpnessFactor(q.sharpness);
}

/** Sharpness of each face: the Laplacian variance of its 112x112 ArcFace crop (grey = mean of R, G, B). */
export async function faceSharpness(image: RgbImage, faces: readonly DetectedFace[], kind: LandmarkKind): Promise<Float64Array> {
  if (faces.length === 0) return new Float64Array(0);
  const { template, pick } = alignmentPoints(kind, 112);
  // Replicated border: a face at the image edge must not gain a sharp edge against black.
  const { tensor } = await alignCrops(image, faces.map((f) => pick(f.landmarks)), { size: 112, template, border: 'replicate', mean: 0, std: 1 });
  const crops = { height: 112, width: 112, threads: 1 };
  return smallCropWork(faces.length, 112) ? laplacianVariance(tensor, crops) : laplacianVarianceAsync(tensor, crops);
}

/** Each face's quality parts and `overall`. */
export async function assessFaces(image: RgbImage, faces: readonly DetectedFace[], kind: LandmarkKind, scale = 1): Promise<FaceQuality[]> {
  const sharpness = await faceSharpness(image, faces, kind);
  return faces.map((f, i) => {
    const { yaw, pitch, roll } = estimatePose(f.landmarks, kind);
    const parts = { score: f.score, size: faceSize(f.box, image.width, image.height) * scale, yaw, pitch, roll, sharpness: sharpness[i]! };
    return { ...parts, overall: overallQuality(parts) };
  });
}

/** The faces at least minFaceSize large and minQuality good, each with its quality. */
export async function qualifyFaces<F extends DetectedFace>(
  image: RgbImage, faces: readonly F[], kind: LandmarkKind, options: Required<QualityOptions>, scale = 1,
): Promise<(F & { quality: FaceQuality })[]> {
  // `scale`: photo pixels per pixel of `image` (a photo decoded shrunk): sizes are the photo's.
  const large = faces.filter((f) => faceSize(f.box, image.width, image.height) * scale >= options.minFaceSize);
  const qualities = await assessFaces(image, large, kind, scale);
  return large.map((f, i) => ({ ...f, quality: qualities[i]! })).filter((f) => f.quality.overall >= options.minQuality);
}

