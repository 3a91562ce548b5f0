// Payloads of the write-ahead log's records: an add (ids, labels, meta as JSON, then the
// caller's float32 vectors, re-encoded identically on replay) or a remove (ids as JSON).
import type { Meta } from './row-store.js';

export const ADD = 1;
export const REMOVE = 2;

export interface AddRecord {
  type: typeof ADD;
  ids: string[];
  labels: string[];
  meta: (Meta | null)[] | null;
  vectors: Float32Array;
}
export interface RemoveRecord {
  type: typeof REMOVE;
  ids: string[];
}

export function encodeAdd(ids: string[], labels: string[], meta: (Meta | undefined)[], vectors: Float32Array): Buffer {
  const anyMeta = meta.some((m) => m !== undefined);
  const json = Buffer.from(JSON.stringify({ ids, labels, meta: anyMeta ? meta.map((m) => m ?? null) : null }), 'utf8');
  const vecOff = 8 + Math.ceil(json.length / 4) * 4;
  // allocUnsafe: the vectors overwrite most of it; the header and padding are zeroed here.
  const out = Buffer.allocUnsafe(vecOff + vectors.byteLength);
  out.fill(0, 0, vecOff);
  out.writeUInt8(ADD, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength).copy(out, vecOff);
  return out;
}

export function encodeRemove(ids: string[]): Buffer {
  const json = Buffer.from(JSON.stringify({ ids }), 'utf8');
  const out = Buffer.alloc(8 + json.length);
  out.writeUInt8(REMOVE, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  return out;
}

/** Decodes a payload that passed its checksum; throws a plain Error if it still makes no sense. */
export function decodeRecord(payload: Buffer, dim: number): AddRecord | RemoveRecord {
  if (payload.length < 8) throw new Error(`record of ${payload.length} bytes`);
  const type = payload.readUInt8(0), jsonLen = payload.readUInt32LE(4);
  if (8 + jsonLen > payload.length) throw new Error('record JSON runs past its end');
  const body = JSON.parse(payload.subarray(8, 8 + jsonLen).toString('utf8'));
  if (type === REMOVE) return { type, ids: body.ids };
  if (type !== ADD) throw new Error(`unknown record type ${type}`);
  const vecOff = 8 + Math.ceil(jsonLen / 4) * 4;
  const bytes = payload.subarray(vecOff);
  if (bytes.length !== body.ids.length * dim * 4) throw new Error(`add record with ${bytes.length} vector bytes for ${body.ids.length} ids`);
  const vectors = new Float32Array(bytes.length / 4);
  new Uint8Array(vectors.buffer).set(bytes);
  return { type, ids: body.ids, labels: body.labels, meta: body.meta, vectors };
}
