// decodeShrunk: JPEG shrink-on-load to a longer side, with the scale back to full resolution;
// the same pixels (within resampling error) and the same errors as decodeImage.
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/image/decode.js';
import { decodeShrunk, shrinkFactor } from '../../src/image/shrink-on-load.js';
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
  it('shrinks only by 4 or 8, keeping the longer side >= maxSide', () => {
    expect(shrinkFactor(4032, 960)).toBe(4);
    expect(shrinkFactor(7680, 960)).toBe(8);
    expect(shrinkFactor(3839, 960)).toBe(1);
    expect(shrinkFactor(1920, 960)).toBe(1); // 1/2 measured slower than decoding whole
    expect(shrinkFactor(960, 960)).toBe(1);
  });

  it('decodes a large JPEG shrunk by 4, reporting the full size and scale', async () => {
    const jpeg = await testCard();
    const s = await decodeShrunk(jpeg, 480);
    expect([s.image.width, s.image.height, s.width, s.height]).toEqual([480, 320, 1920, 1280]);
    expect([s.scaleX, s.scaleY]).toEqual([4, 4]);
    expect(s.image.data.length).toBe(480 * 320 * 3);
    // Pixels agree with the 4x4 block means of a full decode (mean error under 2 levels of 255).
    const full = await decodeImage(jpeg);
    let err = 0;
    for (let y = 0; y < 320; y++) {
      for (let x = 0; x < 480; x++) {
        for (let c = 0; c < 3; c++) {
          let a = 0;
          for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) a += full.data[((4 * y + dy) * 1920 + 4 * x + dx) * 3 + c]!;
          err += Math.abs(a / 16 - s.image.data[(y * 480 + x) * 3 + c]!);
        }
      }
    }
    expect(err / (480 * 320 * 3)).toBeLessThan(2);
  });

  it('keeps odd sizes: scaleX and scaleY map the decoded pixels back', async () => {
    const s = await decodeShrunk(await testCard(2001, 333), 500);
    expect([s.image.width, s.image.height]).toEqual([501, 84]);
    expect(s.image.width * s.scaleX).toBeCloseTo(2001, 6);
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

  it('ignores an embedded ICC profile unless colourManaged, shrunk (4096 px) or whole (512 px)', async () => {
    for (const side of [4096, 512]) {
      const red = Buffer.alloc(side * 64 * 3);
      for (let i = 0; i < red.length; i += 3) red[i] = 255;
      // Stored as Display P3 values (about 234, 51, 35) with the P3 profile embedded.
      const jpeg = await sharp(red, { raw: { width: side, height: 64, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
      const stored = await decodeShrunk(jpeg, 1024);
      const managed = await decodeShrunk(jpeg, 1024, 'input', { colourManaged: true });
      expect(stored.image.width).toBe(side === 4096 ? 1024 : 512);
      expect(managed.image.data[0]).toBeGreaterThan(245);
      expect(managed.image.data[1]).toBeLessThan(12);
      expect(stored.image.data[0]).toBeLessThan(242);
      expect(stored.image.data[1]).toBeGreaterThan(35);
    }
  });

  it('gives decodeImage\'s errors for bad input, and checks maxSide', async () => {
    await expect(decodeShrunk(Buffer.alloc(8), 960, 'input', { colourManaged: 1 as never })).rejects.toThrow(/options.colourManaged: expected a boolean, got/);
    await expect(decodeShrunk(Buffer.alloc(8), 960, 'input', 'srgb' as never)).rejects.toThrow(/options: expected an options object/);
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
    const s = await decodeShrunk(file, Math.floor(Math.max(full.width, full.height) / 4));
    expect([s.width, s.height]).toEqual([full.width, full.height]);
    expect(s.scaleX).toBeCloseTo(4, 1);
    expect(Math.sign(s.image.width - s.image.height)).toBe(Math.sign(full.width - full.height));
  });
});
