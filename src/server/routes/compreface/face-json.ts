// One analysed face in CompreFace's JSON shape (box, landmarks, optional embedding and timing).
import type { AnalyzedFace } from '../../../pipeline/face-analyzer.js';
import { boxOf, landmarksOf } from '../../faces.js';
import { wantsEmbedding, type FaceQuery } from '../../schemas.js';

export function faceJson(face: AnalyzedFace, query: FaceQuery, ms: number): Record<string, unknown> {
  const out: Record<string, unknown> = { box: boxOf(face), landmarks: landmarksOf(face) };
  if (wantsEmbedding(query.face_plugins)) out.embedding = Array.from(face.embedding, (v) => Math.round(v * 1e6) / 1e6);
  if (query.status) out.execution_time = { detector: Math.round(ms), calculator: 0 };
  return out;
}

export function pluginsVersions(version: string): Record<string, string> {
  return { detector: `facecore-${version}`, calculator: `facecore-${version}` };
}
