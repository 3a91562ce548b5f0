// face_plugins: CompreFace's comma-separated plugin slugs. facecore offers 'calculator' (the
// embedding), 'landmarks' (always on: five points come with every face) and 'pose'; other
// slugs (age, gender, mask, landmarks2d106, ...) are ignored, as CompreFace's plugin manager
// ignores slugs it has no plugin for.
import type { AnalyzedFace } from '../../../pipeline/face-analyzer.js';

export const OFFERED_PLUGINS = ['landmarks', 'calculator', 'pose'] as const;

/** The slugs of `text` (comma-separated, spaces and case ignored). */
export function requestedPlugins(text: string | undefined): Set<string> {
  return new Set((text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0));
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * CompreFace's pose plugin shape, in degrees, from the pipeline's landmark estimate
 * (src/pipeline/quality.ts estimatePose): yaw > 0 the face turns towards the image's right,
 * pitch > 0 it tilts up, roll > 0 clockwise in the image. An estimate from five points: think
 * +-10 degrees, pitch the roughest.
 */
export function poseJson(face: AnalyzedFace): { pitch: number; roll: number; yaw: number } {
  const { pitch, roll, yaw } = face.quality;
  return { pitch: round2(pitch), roll: round2(roll), yaw: round2(yaw) };
}
