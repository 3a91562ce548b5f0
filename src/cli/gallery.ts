// Opening the FaceIndex file behind --index for enroll and identify, with one-line errors for
// what users get wrong: a missing file, another model's embeddings, a file that is not an index.

import { existsSync } from 'node:fs';
import type { FaceIndex, Storage } from '../gallery/face-index.js';
import { CliError } from './output.js';

/** What enroll stores with every face: where it came from and the model setup that embedded it. */
export interface FaceMeta {
  file: string;
  model: string;
  modelName: string;
  box: number[];
  [key: string]: unknown;
}

export interface GalleryOptions {
  /** The embedding length of the models in use. */
  dim: number;
  /** modelKey() of the models in use; checked against what the gallery was enrolled with. */
  model: string;
  modelName: string;
  /** Create the file when absent (enroll) or fail (identify). */
  create: boolean;
  /** Told what opening had to cut off a damaged log (a crash's torn tail). */
  warn?: (text: string) => void;
  storage?: Storage;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export async function openGallery(file: string, label: string, options: GalleryOptions): Promise<FaceIndex> {
  const { FaceIndex } = await import('../gallery/face-index.js');
  const exists = existsSync(file);
  if (!exists && !options.create) throw new CliError(`index not found: ${label} (create it with 'facecore enroll <dir> --index ${label}')`);
  let index: FaceIndex;
  try {
    index = exists ? await FaceIndex.open(file) : await FaceIndex.open(file, { dim: options.dim, storage: options.storage ?? 'f32' });
  } catch (err) {
    throw new CliError(`cannot open the index ${label}: ${firstLine(err)}`);
  }
  const cut = index.recovery;
  if (cut && cut.droppedBytes > 0) {
    options.warn?.(`${label}: recovery dropped the log's last ${cut.droppedBytes} bytes (${cut.droppedRecords} record(s)), the torn tail of an interrupted write`);
  }
  try {
    if (index.dim !== options.dim) {
      throw new CliError(`${label} holds ${index.dim}-d embeddings but ${options.modelName} makes ${options.dim}-d ones: use the model it was enrolled with (--model)`);
    }
    if (exists && options.storage !== undefined && index.storage !== options.storage) {
      throw new CliError(`${label} stores ${index.storage}, not ${options.storage}: drop --storage or use a new index file`);
    }
    const first = index.entries().next();
    const meta = first.done ? undefined : (first.value.meta as Partial<FaceMeta> | undefined);
    if (meta?.model !== undefined && meta.model !== options.model) {
      throw new CliError(`${label} was enrolled with ${meta.modelName ?? 'other models'} (key ${meta.model}), not ${options.modelName} (key ${options.model}): scores across models mean nothing`);
    }
  } catch (err) {
    await index.close();
    throw err;
  }
  return index;
}
