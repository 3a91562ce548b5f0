// API keys: each key is its own face collection. Compared in constant time over SHA-256
// digests (equal length whatever was sent), so timing tells nothing about a key's prefix.
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { ApiError, CODES } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class ApiKeys {
  readonly #keys: { key: string; hash: Buffer }[];

  constructor(keys: readonly string[]) {
    const clean = [...new Set(keys.map((k) => k.trim()).filter((k) => k.length > 0))];
    if (clean.length === 0) throw new RangeError('apiKeys: expected at least one non-empty API key, got none');
    for (const k of clean) {
      if (k.length < 8) throw new RangeError(`apiKeys: expected keys of at least 8 characters, got one of ${k.length}`);
    }
    this.#keys = clean.map((key) => ({ key, hash: digest(key) }));
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The keys themselves (to open their collections at start). */
  list(): string[] {
    return this.#keys.map((k) => k.key);
  }

  /** The configured key matching `header` (x-api-key), or a 401. */
  check(header: unknown): string {
    if (typeof header !== 'string' || header.length === 0) throw new ApiError(401, CODES.unauthorized, 'Missing header: x-api-key');
    const h = digest(header);
    let found: string | undefined;
    for (const k of this.#keys) if (timingSafeEqual(k.hash, h)) found = k.key;
    if (found === undefined) throw new ApiError(401, CODES.unauthorized, 'Invalid API key');
    return found;
  }
}

/** Keys from --api-key flags, the FACECORE_API_KEYS variable (comma-separated) and --api-key-file (one per line). */
export function gatherApiKeys(flags: readonly string[], env: string | undefined, file: string | undefined): string[] {
  const keys = [...flags];
  if (env) keys.push(...env.split(','));
  if (file) keys.push(...fs.readFileSync(file, 'utf8').split(/\r?\n/));
  return keys.map((k) => k.trim()).filter((k) => k.length > 0 && !k.startsWith('#'));
}
