// CompreFace answers a similarity in [0, 1]; facecore scores are cosines in [-1, 1]. The map
// is piecewise linear and monotone, calibrated so the recogniser's verification threshold
// (FAR = 1e-3 on the evaluation pairs) lands on 0.5: "similarity >= 0.5" means "same person"
// at that operating point, whatever the model. cos = -1 -> 0, threshold -> 0.5, cos = 1 -> 1.

/** Cosine -> CompreFace similarity (4 decimals, as CompreFace prints them). */
export function similarityOf(cosine: number, threshold: number): number {
  const c = Math.min(1, Math.max(-1, cosine));
  const s = c < threshold ? 0.5 * (c + 1) / (threshold + 1) : 0.5 + 0.5 * (c - threshold) / (1 - threshold);
  return Math.round(s * 10000) / 10000;
}

/** The inverse: the cosine a similarity threshold stands for. */
export function cosineOf(similarity: number, threshold: number): number {
  const s = Math.min(1, Math.max(0, similarity));
  return s < 0.5 ? 2 * s * (threshold + 1) - 1 : threshold + 2 * (s - 0.5) * (1 - threshold);
}
