// The request-body checks on the hot path: the JSON depth scan (strings skipped with indexOf)
// against a per-character reference, and base64 images (padding, data: URLs, line breaks,
// base64url, garbage) against Node's own encoder.
import { describe, expect, it } from 'vitest';
import { imageField } from '../../src/server/image-input.js';
import { assertJsonDepth } from '../../src/server/limits.js';

/** The depth of `text`, one character at a time (the scan this replaced). */
function referenceDepth(text: string): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

describe('assertJsonDepth', () => {
  const deepEnough = (text: string, max: number) => {
    try {
      assertJsonDepth(text, max);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with a per-character scan on strings full of quotes, backslashes and brackets', () => {
    const r = rng(7);
    const pieces = ['{', '}', '[', ']', '"', '\\', '\\"', '\\\\', '\\\\"', 'a', ',', ':', '"[["', '"\\\\\\""'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: Math.floor(r() * 40) }, () => pieces[Math.floor(r() * pieces.length)]).join('');
      const depth = referenceDepth(text);
      for (const max of [2, 3, 5]) expect([text, max, deepEnough(text, max)]).toEqual([text, max, depth <= max]);
    }
  });

  it('skips brackets inside strings, escaped quotes included, and counts those outside', () => {
    expect(deepEnough(JSON.stringify({ a: '[[[[[[[[[[' }), 2)).toBe(true);
    expect(deepEnough(JSON.stringify({ a: 'x\\"[[[[[[[[' }), 2)).toBe(true);
    expect(deepEnough(JSON.stringify({ a: ['\\', [['"']]] }), 3)).toBe(false);
    expect(deepEnough(JSON.stringify({ a: ['\\', [['"']]] }), 4)).toBe(true);
    expect(deepEnough(`{"file": "${'A'.repeat(1 << 20)}"}`, 2)).toBe(true);
    expect(deepEnough('"never closed [[[[', 1)).toBe(true);
  });
});

describe('imageField', () => {
  // A real image's bytes are what sharp checks after decoding; here a 2x3 PNG.
  let png: Buffer;
  const field = (file: string) => imageField({ file }, 'file', 1000);
  it('decodes padded, unpadded, data: URL, line-broken and base64url text to the same bytes', async () => {
    png = await (await import('sharp')).default({ create: { width: 2, height: 3, channels: 3, background: '#123' } }).png().toBuffer();
    const b64 = png.toString('base64');
    const forms = [b64, b64.replace(/=+$/, ''), `data:image/png;base64,${b64}`, b64.replace(/(.{20})/g, '$1\r\n'), ` ${b64}\n`, png.toString('base64url')];
    for (const text of forms) expect((await field(text)).equals(png)).toBe(true);
  });

  it('refuses text that is not base64 with 400 naming the field', async () => {
    const b64 = png.toString('base64');
    const bad = ['!!!not base64***', b64.slice(0, 20) + '!!' + b64.slice(20), `${b64.slice(0, 8)}====${b64.slice(8)}`, 'A', '====', '', b64 + 'A'];
    for (const text of bad) {
      await expect(field(text).then(() => 'accepted', (e: { statusCode: number; message: string }) => [e.statusCode, e.message.split(':')[0]])).resolves.toEqual([400, 'file']);
    }
  });

  it('reads the size of JPEGs from their header and of other formats through sharp: 413 over the limit', async () => {
    const sharp = (await import('sharp')).default;
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#456' } }).jpeg().toBuffer();
    for (const [bytes, size] of [[jpeg, '40x30 = 1200'], [png, '2x3 = 6']] as const) {
      const over = imageField({ file: bytes }, 'file', 5).then(() => 'accepted', (e: { statusCode: number; message: string }) => [e.statusCode, e.message]);
      await expect(over).resolves.toEqual([413, `file: expected at most 5 pixels, got ${size}`]);
      expect((await imageField({ file: bytes }, 'file', 1200)).equals(bytes)).toBe(true);
    }
    const notImage = imageField({ file: Buffer.from('GIF89a but not really') }, 'file', 1000).then(() => 'accepted', (e: { statusCode: number; message: string }) => [e.statusCode, e.message.slice(0, 31)]);
    await expect(notImage).resolves.toEqual([400, 'file: expected an image (JPEG, ']);
  });
});
