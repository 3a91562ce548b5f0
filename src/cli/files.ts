// Walking photo folders and working through files a few at a time.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Extensions taken as photos (content is sniffed when decoding; other files are ignored). */
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic']);

export function isPhotoName(name: string): boolean {
  return !name.startsWith('.') && PHOTO_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** Photo files under `dir` (recursively), as paths relative to it, sorted. */
export async function photosUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const named = entries.filter((e) => isPhotoName(e.name) && (e.isFile() || e.isSymbolicLink()));
  // A link to a photo counts (folders of links are a common way to lay out a set); a dangling one does not.
  const isPhoto = await Promise.all(named.map((e) => e.isFile() || stat(path.join(e.parentPath, e.name)).then((s) => s.isFile(), () => false)));
  return named
    .filter((_, i) => isPhoto[i])
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Runs `fn` on every item, `concurrency` at a time (decoding one photo overlaps inference on
 * another); results in input order; `onDone(count)` after each.
 */
export async function eachLimited<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0, done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
