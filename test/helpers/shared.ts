// ../shared (real face photos and ONNX models) sits beside the repository on developers'
// machines and in CI, but not in a user's checkout: tests that need it skip, saying why.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.FACECORE_SHARED ?? path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(path.join(sharedDir, 'data')) && fs.existsSync(path.join(sharedDir, 'models'));

if (!hasShared) {
  console.warn(`[facecore tests] ${sharedDir} is absent: tests on shared photos and models are skipped.`);
}

export const sharedData = (...parts: string[]) => path.join(sharedDir, 'data', ...parts);
export const sharedModel = (...parts: string[]) => path.join(sharedDir, 'models', ...parts);
