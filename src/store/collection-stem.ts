// A collection's name wherever it is kept (file names, the store's rows): a hash of its API
// key, so the key itself is never written anywhere.
import { createHash } from 'node:crypto';

/** 24 hex digits of SHA-256. */
export function collectionStem(apiKey: string): string {
  return createHash('sha256').update(`facecore-collection:${apiKey}`).digest('hex').slice(0, 24);
}
