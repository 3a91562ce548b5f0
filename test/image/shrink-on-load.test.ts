// decodeShrunk: JPEG shrink-on-load to a longer side, with the scale back to full resolution;
// the same pixels (within resampling error) and the same errors as decodeImage.
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/image/decode.js';
import { decodeShrunk } from '../../src/image/shrink-on-load.js';
import { hasShared, sharedData } from '../helpers/shared.js';

// A smooth 1920x1280 test card (gradients + blocks), encoded as JPEG.
async function testCard(width = 1920, height = 1280): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x >> 6) + (y >> 6)) % 2 ? 200 : 40;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

describe('decodeShrunk', () => {
  it('decodes a large JPEG with its longer side at maxSide, reporting the full size and scale', async () => {
    const jpeg = await testCard();
    const s = await decodeShrunk(jpeg, 960);
    expect([s.image.width, s.image.height, s.width, s.height]).toEqual([960, 640, 1920, 1280]);
    expect([s.scaleX, s.scaleY]).toEqual([2, 2]);
    expect(s.image.data.length).toBe(960 * 640 * 3);
    // Pixels agree with a full decode shrunk afterwards (mean error under 2 levels of 255).
    const full = await decodeImage(jpeg);
    let err = 0;
    for (let y = 0; y < 640; y++) {
      for (let x = 0; x < 960; x++) {
        for (let c = 0; c < 3; c++) {
          const a = (full.data[((2 * y) * 1920 + 2 * x) * 3 + c]! + full.data[((2 * y + 1) * 1920 + 2 * x + 1) * 3 + c]!) / 2;
          err += Math.abs(a - s.image.data[(y * 960 + x) * 3 + c]!);
        }
      }
    }
    expect(err / (960 * 640 * 3)).toBeLessThan(2);
  });

  it('keeps odd aspect ratios: scaleX and scaleY map the decoded pixels back', async () => {
    const s = await decodeShrunk(await testCard(1001, 333), 500);
    expect(s.image.width).toBe(500);
    expect(s.image.height).toBeGreaterThanOrEqual(166);
    expect(s.image.height).toBeLessThanOrEqual(167);
    expect(s.image.width * s.scaleX).toBeCloseTo(1001, 6);
    expect(s.image.height * s.scaleY).toBeCloseTo(333, 6);
  });

  it('leaves photos at or under maxSide and raw images as decodeImage gives them (scale 1)', async () => {
    const jpeg = await testCard(640, 480);
    const s = await decodeShrunk(jpeg, 640);
    expect([s.image.width, s.image.height, s.scaleX, s.scaleY]).toEqual([640, 480, 1, 1]);
    expect(Buffer.compare(Buffer.from(s.image.data), Buffer.from((await decodeImage(jpeg)).data))).toBe(0);
    const raw = { data: new Uint8Array(4000 * 2 * 1), width: 4000, height: 2, channels: 1 };
    const r = await decodeShrunk(raw, 100);
    expect([r.image.width, r.image.channels, r.scaleX]).toEqual([4000, 3, 1]);
  });

  it('gives decodeImage\'s errors for bad input, and checks maxSide', async () => {
    await expect(decodeShrunk(Buffer.alloc(0), 960)).rejects.toThrow(RangeError);
    await expect(decodeShrunk(Buffer.from('name,identity\nx,y\n'), 960)).rejects.toThrow(/expected an image .* holding text/);
    await expect(decodeShrunk('/nonexistent/photo.jpg', 960, 'photo')).rejects.toThrow(/photo: file not found/);
    const jpeg = await testCard(200, 100);
    await expect(decodeShrunk(jpeg.subarray(0, 400), 64)).rejects.toThrow(RangeError);
    await expect(decodeShrunk(jpeg, 0)).rejects.toThrow(RangeError);
    await expect(decodeShrunk(jpeg, 1.5)).rejects.toThrow(RangeError);
  });

  it.skipIf(!hasShared)('applies EXIF orientation before shrinking (image_T1.jpeg has Orientation 6)', async () => {
    const file = sharedData('insightface/cpp-package/inspireface/test_res/data/bulk/image_T1.jpeg');
    const full = await decodeImage(file);
    const s = await decodeShrunk(file, 256);
    expect([s.width, s.height]).toEqual([full.width, full.height]);
    expect(Math.max(s.image.width, s.image.height)).toBe(256);
    expect(Math.sign(s.image.width - s.image.height)).toBe(Math.sign(full.width - full.height));
  });
});
