import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { jpegSize } from '../../src/image/jpeg-size.js';
import { hasShared, sharedData } from '../helpers/shared.js';

describe('jpegSize', () => {
  it('reads baseline and progressive JPEGs as sharp does', async () => {
    const img = sharp({ create: { width: 123, height: 45, channels: 3, background: { r: 9, g: 9, b: 9 } } });
    expect(jpegSize(await img.clone().jpeg().toBuffer())).toEqual([123, 45]);
    expect(jpegSize(await img.clone().jpeg({ progressive: true }).toBuffer())).toEqual([123, 45]);
    // EXIF orientation does not change the stored size (its APP1 segment is skipped).
    expect(jpegSize(await img.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer())).toEqual([123, 45]);
  });

  it('gives undefined for other formats, truncated headers and garbage', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).jpeg().toBuffer();
    for (const bytes of [png, jpeg.subarray(0, 20), Buffer.alloc(0), Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('hello world')]) {
      expect(jpegSize(bytes)).toBeUndefined();
    }
  });

  it.skipIf(!hasShared)('agrees with sharp.metadata() on every deepface JPEG', async () => {
    const dir = sharedData('deepface');
    for (const f of fs.readdirSync(dir).filter((n) => /\.jpe?g$/i.test(n))) {
      const bytes = fs.readFileSync(`${dir}/${f}`);
      const meta = await sharp(bytes).metadata();
      expect([f, jpegSize(bytes)]).toEqual([f, meta.format === 'jpeg' ? [meta.width, meta.height] : undefined]);
    }
  });
});
