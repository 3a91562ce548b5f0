// The one "main face" rule: which face a single-subject photo is about. FaceAnalyzer.verify,
// the CLI (verify, enroll, eval) and the threshold calibration (tools/select-models.js) all
// use it, so a decision made anywhere reproduces the calibrated numbers.
import type { Box } from '../models/detectors/types.js';

const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

/**
 * Among faces at least 30% the area of the largest, the one nearest the image centre: LFW-style
 * photos show bystanders (sometimes larger than the subject's, cut off at the border); the
 * largest face alone picks them.
 */
export function mainFace<T extends { box: Box }>(faces: readonly T[], width: number, height: number): T | undefined {
  if (faces.length === 0) return undefined;
  const largest = Math.max(...faces.map((f) => area(f.box)));
  let best: T | undefined, bestDist = Infinity;
  for (const f of faces) {
    if (area(f.box) < 0.3 * largest) continue;
    const cx = (f.box[0] + f.box[2]) / 2 - width / 2, cy = (f.box[1] + f.box[3]) / 2 - height / 2;
    const dist = cx * cx + cy * cy;
    if (dist < bestDist) (best = f), (bestDist = dist);
  }
  return best;
}
