// The images of a request: a multipart file field, or a JSON body with the image as base64
// (CompreFace accepts both; its SDK sends either). Sizes are checked before any decoding.
import { badRequest } from './errors.js';
import { assertImagePixels } from './limits.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(name: string, text: string): Buffer {
  // A data: URL prefix and line breaks are tolerated; anything else not base64 is refused.
  const body = text.replace(/^data:[\w/+.-]+;base64,/, '').replace(/\s+/g, '');
  if (body.length === 0 || body.length % 4 === 1 || !BASE64.test(body)) throw badRequest(`${name}: expected a base64-encoded image, got a string that is not base64`);
  return Buffer.from(body, 'base64');
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
