// Faces of an uploaded image, as the routes answer them: analysed through the bounded queue,
// filtered by the request's detection threshold and capped at the per-image limit, with
// CompreFace's box and landmark shapes.
import type { AnalyzedFace, FaceAnalyzer } from '../pipeline/face-analyzer.js';
import { mainFace } from '../pipeline/main-face.js';
import { noFace } from './errors.js';
import type { Limits } from './limits.js';
import type { InferenceQueue } from './queue.js';

export interface CompreFaceBox {
  probability: number;
  x_min: number;
  y_min: number;
  x_max: number;
  y_max: number;
}

export interface ImageFaces {
  faces: AnalyzedFace[];
  width: number;
  height: number;
  /** Milliseconds spent analysing (queue wait excluded). */
  ms: number;
}

export class FaceService {
  constructor(readonly analyzer: FaceAnalyzer, private readonly queue: InferenceQueue, private readonly limits: Limits) {}

  get dim(): number {
    return this.analyzer.recognizer.dim;
  }
  /** Cosine at FAR = 1e-3 (similarity 0.5). */
  get verifyThreshold(): number {
    return this.analyzer.recognizer.thresholds.verify ?? 0.3;
  }
  get groupThreshold(): number {
    return this.analyzer.recognizer.thresholds.group ?? this.verifyThreshold;
  }

  /** Faces scoring at least `minScore`, best first, at most the per-image limit (and `limit` when > 0). */
  async faces(bytes: Buffer, minScore = 0, limit = 0): Promise<ImageFaces> {
    return this.queue.run(async () => {
      const t = performance.now();
      const all = await this.analyzer.analyze(bytes);
      const cap = limit > 0 ? Math.min(limit, this.limits.facesPerImage) : this.limits.facesPerImage;
      const faces = all.filter((f) => f.score >= minScore).slice(0, cap);
      return { faces, width: all.width, height: all.height, ms: performance.now() - t };
    });
  }

  /** The image's main face (the one rule of src/pipeline/main-face.ts); 400 (code 28) when none. */
  async mainFace(bytes: Buffer, minScore = 0): Promise<AnalyzedFace> {
    const { faces, width, height } = await this.faces(bytes, minScore);
    const face = mainFace(faces, width, height);
    if (!face) throw noFace();
    return face;
  }
}

export function boxOf(face: AnalyzedFace): CompreFaceBox {
  const [x0, y0, x1, y1] = face.box;
  return { probability: Math.round(face.score * 1e5) / 1e5, x_min: Math.round(x0), y_min: Math.round(y0), x_max: Math.round(x1), y_max: Math.round(y1) };
}

export function landmarksOf(face: AnalyzedFace): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + 1 < face.landmarks.length; i += 2) out.push([Math.round(face.landmarks[i]!), Math.round(face.landmarks[i + 1]!)]);
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
