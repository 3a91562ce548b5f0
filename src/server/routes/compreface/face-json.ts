// One analysed face in CompreFace's JSON shape (box, landmarks, optional embedding, pose and timing).
import type { AnalyzedFace } from '../../../pipeline/face-analyzer.js';
import { boxOf, landmarksOf } from '../../faces.js';
import type { FaceQuery } from '../../schemas.js';
import { OFFERED_PLUGINS, poseJson, requestedPlugins } from './face-plugins.js';

export function faceJson(face: AnalyzedFace, query: FaceQuery, ms: number): Record<string, unknown> {
  const out: Record<string, unknown> = { box: boxOf(face), landmarks: landmarksOf(face) };
  const plugins = requestedPlugins(query.face_plugins);
  if (plugins.has('calculator')) out.embedding = Array.from(face.embedding, (v) => Math.round(v * 1e6) / 1e6);
  if (plugins.has('pose')) out.pose = poseJson(face);
  if (query.status) out.execution_time = { detector: Math.round(ms), calculator: 0 };
  return out;
}

export function pluginsVersions(version: string): Record<string, string> {
  return Object.fromEntries(['detector', ...OFFERED_PLUGINS.filter((p) => p !== 'landmarks')].map((p) => [p, `facecore-${version}`]));
}
