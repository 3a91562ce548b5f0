// On-disk cache of converted models, keyed by a hash of the source files, so a model is
// converted once per machine. Files are written to a temporary name, synced, then renamed:
// a reader never sees a half-written model, even after a crash.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONVERTER_VERSION, convertTfjsArtifacts, optionsKey, type ConvertOptions } from './convert.js';
import { readTfjsGraphModelFiles } from './tfjs-model.js';

/** FACECORE_CACHE, else ~/.cache/facecore. */
export function defaultCacheDir(): string {
  const env = process.env.FACECORE_CACHE;
  return env && env.length > 0 ? env : path.join(os.homedir(), '.cache', 'facecore');
}

export interface CachedConvertOptions extends ConvertOptions {
  /** Where converted models are kept (default: defaultCacheDir()). */
  cacheDir?: string;
}

/** Writes bytes to `target` atomically: temp file in the same folder, fsync, rename. */
export async function writeFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
  // Make the rename itself durable (not supported on every platform: best effort).
  const dir = await open(path.dirname(target), 'r').catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => {});
    await dir.close();
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Converts a tfjs graph model unless the cache already holds the result; returns the path of
 * the .onnx file. The key covers model.json, every shard, the converter version and options.
 */
export async function convertTfjsGraphCached(modelJsonPath: string, options: CachedConvertOptions = {}): Promise<string> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath.length === 0) {
    throw new TypeError(`modelJsonPath must be a non-empty string, got ${typeof modelJsonPath === 'string' ? 'an empty string' : typeof modelJsonPath}`);
  }
  const { cacheDir = defaultCacheDir(), ...convertOptions } = options;
  const { artifacts, files } = await readTfjsGraphModelFiles(modelJsonPath);
  const hash = createHash('sha256');
  hash.update(`facecore-convert ${CONVERTER_VERSION} ${optionsKey(convertOptions)}\n`);
  for (const f of files) {
    hash.update(`${f.bytes.byteLength}\n`);
    hash.update(f.bytes);
  }
  const base = path.basename(modelJsonPath).replace(/\.json$/i, '');
  const target = path.join(cacheDir, `${base}-${hash.digest('hex').slice(0, 20)}.onnx`);
  const pending = inFlight.get(target);
  if (pending) return pending;
  const job = (async () => {
    if (await exists(target)) return target;
    const bytes = convertTfjsArtifacts(artifacts, { modelName: path.basename(modelJsonPath), ...convertOptions });
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(target, bytes);
    return target;
  })();
  inFlight.set(target, job);
  try {
    return await job;
  } finally {
    inFlight.delete(target);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
