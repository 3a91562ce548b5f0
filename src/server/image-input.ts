// The images of a request: a multipart file field, or a JSON body with the image as base64
// (CompreFace accepts both; its SDK sends either). Sizes are checked before any decoding.
import { badRequest } from './errors.js';
import { assertImagePixels } from './limits.js';

/**
 * `body` decoded, or undefined when it is not base64. Node's decoder skips characters outside
 * the alphabet (and takes base64url's - and _), so a decoded length short of what the length
 * promises means the text had some: one O(1) check instead of a regex over megabytes.
 */
function decodeBase64(body: string): Buffer | undefined {
  if (body.length === 0 || body.length % 4 === 1) return undefined;
  const pad = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(body, 'base64');
  return bytes.length === Math.floor((body.length - pad) * 3 / 4) ? bytes : undefined;
}

function fromBase64(name: string, text: string): Buffer {
  // A data: URL prefix and line breaks are tolerated (the breaks on a second, slower try);
  // anything else not base64 is refused.
  const body = text.startsWith('data:') ? text.replace(/^data:[\w/+.-]+;base64,/, '') : text;
  const bytes = decodeBase64(body) ?? decodeBase64(body.replace(/\s+/g, ''));
  if (!bytes) throw badRequest(`${name}: expected a base64-encoded image, got a string that is not base64`);
  return bytes;
}

/** The bytes of the image in `field` of a parsed body (multipart Buffer or base64 string), pixel-checked. */
export async function imageField(body: unknown, field: string, maxPixels: number): Promise<Buffer> {
  if (body === null || typeof body !== 'object') throw badRequest(`${field}: expected a multipart file or a JSON body { "${field}": "<base64>" }, got no body`);
  const value = (body as Record<string, unknown>)[field];
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) bytes = value;
  else if (typeof value === 'string') bytes = fromBase64(field, value);
  else throw badRequest(`${field}: expected an image as a multipart file or a base64 string, got ${value === undefined ? 'nothing' : typeof value}`);
  if (bytes.length === 0) throw badRequest(`${field}: expected an image, got 0 bytes`);
  await assertImagePixels(field, bytes, maxPixels);
  return bytes;
}
