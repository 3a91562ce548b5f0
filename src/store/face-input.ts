// Checks on what goes into the store. A bad row committed there would stop every replica's
// catch-up, so everything a FaceIndex would refuse is refused before the transaction.
import { describe } from '../core/validate.js';
import { BAD_ID } from '../gallery/face-index.js';
import type { Meta } from '../gallery/row-store.js';

export interface FaceToAdd {
  id: string;
  subject: string;
  vector: Float32Array;
  meta?: object | null;
}

export function assertName(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected a string, got ${describe(value)}`);
  if (value.length === 0) throw new RangeError(`${name}: expected a non-empty string, got ''`);
  if (BAD_ID.test(value)) throw new RangeError(`${name}: expected a string without NUL characters or lone surrogates, got ${JSON.stringify(value)}`);
  return value;
}

export function assertNames(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array of strings, got ${describe(value)}`);
  return value.map((v, i) => assertName(`${name}[${i}]`, v));
}

/** The rows to insert: id, subject, vector bytes, meta as JSON text (or null). */
export function checkFaces(faces: unknown, dim: number): { id: string; subject: string; bytes: Buffer; meta: string | null }[] {
  if (!Array.isArray(faces)) throw new TypeError(`faces: expected an array of { id, subject, vector }, got ${describe(faces)}`);
  const seen = new Set<string>();
  return faces.map((f: unknown, i) => {
    if (f === null || typeof f !== 'object') throw new TypeError(`faces[${i}]: expected { id, subject, vector }, got ${describe(f)}`);
    const face = f as Record<string, unknown>;
    const id = assertName(`faces[${i}].id`, face.id);
    if (seen.has(id)) throw new RangeError(`faces[${i}].id: '${id}' appears twice in this call`);
    seen.add(id);
    const subject = assertName(`faces[${i}].subject`, face.subject);
    const v = face.vector;
    if (!(v instanceof Float32Array)) throw new TypeError(`faces[${i}].vector: expected a Float32Array, got ${describe(v)}`);
    if (v.length !== dim) throw new RangeError(`faces[${i}].vector: expected ${dim} values (the store's dim), got ${v.length}`);
    let norm = 0;
    for (const x of v) norm += x * x;
    if (!Number.isFinite(norm) || norm === 0) throw new RangeError(`faces[${i}].vector: expected finite values, not all zero`);
    return { id, subject, bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength), meta: metaJson(`faces[${i}].meta`, face.meta) };
  });
}

function metaJson(name: string, meta: unknown): string | null {
  if (meta === undefined || meta === null) return null;
  if (typeof meta !== 'object' || Array.isArray(meta)) throw new TypeError(`${name}: expected an object, null or undefined, got ${describe(meta)}`);
  let text: string;
  try {
    text = JSON.stringify(meta);
  } catch (e) {
    throw new TypeError(`${name}: expected a JSON-serialisable object (${(e as Error).message})`);
  }
  // jsonb cannot hold U+0000.
  if (text.includes('\\u0000')) throw new RangeError(`${name}: expected no NUL characters in strings`);
  return text;
}

/** A float32 copy of stored bytes (pg's Buffers may be unaligned views of a larger one). */
export function vectorOf(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export type { Meta };
