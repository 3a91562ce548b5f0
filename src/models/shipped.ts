// The default models that ship inside the package (models/ at the package root), with the
// SHA-256 each must have. A damaged or replaced file is refused with a clear error before
// onnxruntime sees it: a different file would silently give different embeddings.
// Provenance and licenses: models/PROVENANCE.md (copied from ../shared/models/SOURCES.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShippedModel {
  file: string;
  sha256: string;
  license: string;
}

/** Shipped models by registry name. */
export const SHIPPED_MODELS = {
  // ShiqiYu/libfacedetection.train onnx/yunet_n_dynamic.onnx (Apache-2.0): YuNet-n, any input size.
  yunet: { file: 'yunet_n_dynamic.onnx', sha256: '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12', license: 'LICENSE.libfacedetection.train' },
  // foamliu/MobileFaceNet weights/MobileFaceNet.onnx (Apache-2.0): 112x112 -> 128-d.
  'foamliu-mobilefacenet': { file: 'mobilefacenet.onnx', sha256: 'b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507', license: 'LICENSE.foamliu_MobileFaceNet' },
} as const satisfies Record<string, ShippedModel>;
export type ShippedModelName = keyof typeof SHIPPED_MODELS;

/** models/ at the package root (src/models and dist/models are both two levels below it). */
export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

// Files already verified in this process (path -> size:mtime), so a second load costs a stat.
const verified = new Map<string, string>();

/** Throws unless `file` exists and its SHA-256 is `sha256`. */
export async function verifyModelFile(file: string, sha256: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new Error(`model ${file}: the file is missing from the package; reinstall facecore`);
  }
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  if (verified.get(file) === stamp) return;
  const got = crypto.createHash('sha256').update(await fs.promises.readFile(file)).digest('hex');
  if (got !== sha256) {
    throw new Error(`model ${file}: expected SHA-256 ${sha256}, got ${got} (the file is damaged or was replaced; reinstall facecore)`);
  }
  verified.set(file, stamp);
}

/** Path of a shipped model, after checking its SHA-256. */
export async function shippedModelPath(name: ShippedModelName, dir = SHIPPED_MODELS_DIR): Promise<string> {
  const entry: ShippedModel = SHIPPED_MODELS[name];
  const file = path.join(dir, entry.file);
  await verifyModelFile(file, entry.sha256);
  return file;
}
