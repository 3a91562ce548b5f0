// Request limits: what one request may cost. Each is checked before the work it guards
// (body size by fastify while reading, pixels from the image header before decoding, JSON
// depth before parsing), and each refusal is a 4xx that names the limit.
import sharp, { type Metadata } from 'sharp';
import { assertInteger, assertOptionsObject } from '../core/validate.js';
import { jpegSize } from '../image/jpeg-size.js';
import { ApiError, CODES, badRequest } from './errors.js';

export interface Limits {
  /** Bytes of one request body (default 16 MiB). */
  bodyBytes: number;
  /** Pixels of one image, from its header (default 40 MP). */
  imagePixels: number;
  /** Nesting depth of a JSON body (default 8). */
  jsonDepth: number;
  /** Faces analysed per image: more are answered best-scored first up to this (default 64). */
  facesPerImage: number;
  /** Embeddings in one /embeddings/recognize request (default 256). */
  embeddingsPerRequest: number;
  /** Analyses running at once (default 2) and waiting (default 64; beyond: 503 + Retry-After). */
  concurrency: number;
  queued: number;
  /** Milliseconds a request may take to arrive, first byte to last (default 30 s). */
  requestTimeoutMs: number;
  /** Milliseconds an analysis may wait for a slot (then 503) and, once started, run (then 504); 0: no limit (default 20 s). */
  inferenceTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyBytes: 16 << 20,
  imagePixels: 40_000_000,
  jsonDepth: 8,
  facesPerImage: 64,
  embeddingsPerRequest: 256,
  concurrency: 2,
  queued: 64,
  requestTimeoutMs: 30_000,
  inferenceTimeoutMs: 20_000,
};

const RANGES: Record<keyof Limits, [number, number]> = {
  bodyBytes: [1024, 2 ** 31 - 1], imagePixels: [1, 2 ** 31 - 1], jsonDepth: [2, 1000], facesPerImage: [1, 10000],
  embeddingsPerRequest: [1, 100000], concurrency: [1, 256], queued: [0, 1_000_000], requestTimeoutMs: [1000, 3_600_000],
  inferenceTimeoutMs: [0, 3_600_000],
};

/** The defaults with `given` over them; RangeError/TypeError naming a bad one. */
export function resolveLimits(given: Partial<Limits> | undefined): Limits {
  const opts = assertOptionsObject('options.limits', given) as Partial<Limits>;
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(opts) as (keyof Limits)[]) {
    const range = RANGES[key];
    if (!range) throw new RangeError(`options.limits: expected keys ${Object.keys(RANGES).join(', ')}, got '${key}'`);
    if (opts[key] !== undefined) out[key] = assertInteger(`options.limits.${key}`, opts[key], range[0], range[1]);
  }
  return out;
}

/** Throws 400 when `text` (JSON) nests deeper than `max`; strings are skipped. O(n), no recursion. */
export function assertJsonDepth(text: string, max: number): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = stringEnd(text, i);
    else if (c === 123 || c === 91) {
      if (++depth > max) throw badRequest(`JSON body: expected nesting of at most ${max} levels, got more`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/**
 * The index of the quote closing the string opened at `open` (text.length if none): the next
 * quote not escaped, i.e. after an even run of backslashes. indexOf jumps over a megabyte of
 * base64 at memchr speed, where a per-character loop took ~40 ms.
 */
function stringEnd(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let k = i - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((i - 1 - k) % 2 === 0) return i;
  }
}

/**
 * The image's size from its header; 413 over the pixel limit, 400 when it is no image. JPEGs
 * (most uploads) are read in JS from their SOF marker; other formats by sharp's header parse
 * (a Sharp instance and a trip to the thread pool: ~1-8 ms a request on the loaded 2-core host).
 */
export async function assertImagePixels(name: string, bytes: Buffer, maxPixels: number): Promise<void> {
  const [width, height] = jpegSize(bytes) ?? await headerSize(name, bytes);
  const pixels = width * height;
  if (pixels === 0) throw badRequest(`${name}: expected an image with a size, got none`);
  if (pixels > maxPixels) throw new ApiError(413, CODES.tooLarge, `${name}: expected at most ${maxPixels} pixels, got ${width}x${height} = ${pixels}`);
}

async function headerSize(name: string, bytes: Buffer): Promise<[number, number]> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw badRequest(`${name}: expected an image (JPEG, PNG, WebP, ...), got data sharp cannot read (${(err as Error).message})`);
  }
  return [meta.width ?? 0, meta.height ?? 0];
}
