// Issue #13.5: decompression bombs. An encoded image above the pixel limit (default 40 MP) is
// refused from its header, before any pixel is decoded.
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, decodeImage } from '../../src/image/decode.js';
import { crc32Reference } from '../helpers/crc-reference.js';

const crc32 = crc32Reference(0xedb88320);

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A PNG whose header claims width x height RGB, with the data of only its first row (a bomb's header; the data is never read). */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 + width * 3))), chunk('IEND', Buffer.alloc(0))]);
}

describe('decode pixel limit', () => {
  it('refuses a 16000 x 16000 PNG before decoding, naming the limit and the size', async () => {
    expect(DEFAULT_MAX_PIXELS).toBe(40_000_000);
    await expect(decodeImage(pngHeader(16000, 16000), 'photo')).rejects.toThrow(
      new RangeError('photo: expected an image of at most 40000000 pixels (options.maxPixels), got a buffer of 16000 x 16000 = 256000000 pixels'));
  });

  it('decodes up to maxPixels and refuses one pixel more', async () => {
    const png = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#808080' } }).png().toBuffer();
    expect((await decodeImage(png, 'p', { maxPixels: 5000 })).width).toBe(100);
    await expect(decodeImage(png, 'p', { maxPixels: 4999 })).rejects.toThrow(RangeError);
    await expect(decodeImage(png, 'p', { maxPixels: 4999 })).rejects.toThrow(/at most 4999 pixels.*100 x 50 = 5000 pixels/);
  });

  it('rejects a bad maxPixels naming it', async () => {
    const png = pngHeader(10, 10);
    await expect(decodeImage(png, 'p', { maxPixels: 0 })).rejects.toThrow(new RangeError('options.maxPixels: expected an integer >= 1, got 0'));
    await expect(decodeImage(png, 'p', { maxPixels: '9' as unknown as number })).rejects.toThrow(new TypeError("options.maxPixels: expected an integer, got '9'"));
  });
});
