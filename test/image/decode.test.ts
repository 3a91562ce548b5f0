import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, toRgb } from '../../src/image/decode.js';
import { hasShared, repoRoot, sharedData } from '../helpers/shared.js';

const sample = path.join(repoRoot, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');

// A 4x2 image whose pixels differ, so orientation and channel mix-ups show.
const W = 4, H = 2;
const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 37) % 256);
const encode = (img: ReturnType<typeof sharp>) => img.png().toBuffer();

describe('decodeImage', () => {
  it('decodes a path and a Buffer of the same JPEG identically, as RGB HWC', async () => {
    const a = await decodeImage(sample);
    const b = await decodeImage(fs.readFileSync(sample));
    expect(a.channels).toBe(3);
    expect(a.data.length).toBe(a.width * a.height * 3);
    expect(b.width).toBe(a.width);
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data))).toBe(0);
  });

  it('keeps RGB pixels exactly (PNG round trip)', async () => {
    const png = await encode(sharp(rgb, { raw: { width: W, height: H, channels: 3 } }));
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([W, H]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
  });

  it('expands grayscale to three equal channels and drops alpha', async () => {
    const gray = Uint8Array.from({ length: W * H }, (_, i) => i * 30);
    const g = await decodeImage(await encode(sharp(gray, { raw: { width: W, height: H, channels: 1 } })));
    expect(g.channels).toBe(3);
    for (let i = 0; i < W * H; i++) expect([g.data[3 * i], g.data[3 * i + 1], g.data[3 * i + 2]]).toEqual([gray[i], gray[i], gray[i]]);
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 11) % 256));
    const a = await decodeImage(await encode(sharp(rgba, { raw: { width: W, height: H, channels: 4 } })));
    expect(a.channels).toBe(3);
    for (let i = 0; i < W * H; i++) expect(Array.from(a.data.subarray(3 * i, 3 * i + 3))).toEqual(Array.from(rgba.subarray(4 * i, 4 * i + 3)));
  });

  it('applies EXIF orientation (6: rotate 90° clockwise)', async () => {
    const jpeg = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpeg);
    expect([img.width, img.height]).toEqual([H, W]);
  });

  it('sniffs the content, not the file name (a PNG named .jpg)', async () => {
    const file = path.join(os.tmpdir(), `facecore-decode-${process.pid}.jpg`);
    fs.writeFileSync(file, await encode(sharp(rgb, { raw: { width: W, height: H, channels: 3 } })));
    try {
      expect(Array.from((await decodeImage(file)).data)).toEqual(Array.from(rgb));
    } finally {
      fs.unlinkSync(file);
    }
  });

  it('passes raw RGB through and expands raw gray / RGBA', async () => {
    const raw = { data: rgb, width: W, height: H, channels: 3 };
    expect((await decodeImage(raw)).data).toBe(rgb);
    const gray = toRgb({ data: Uint8Array.of(1, 2), width: 2, height: 1, channels: 1 });
    expect(Array.from(gray.data)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('ignores an embedded ICC profile unless colourManaged (pure red stored in Display P3)', async () => {
    const red = Buffer.alloc(8 * 8 * 3);
    for (let i = 0; i < red.length; i += 3) red[i] = 255;
    // sharp converts sRGB red into P3 values (about 234, 51, 35) and embeds the P3 profile.
    const p3 = await sharp(red, { raw: { width: 8, height: 8, channels: 3 } }).withIccProfile('p3').png().toBuffer();
    const stored = await decodeImage(p3);
    const managed = await decodeImage(p3, 'input', { colourManaged: true });
    const first = (img: { data: Uint8Array }) => Array.from(img.data.subarray(0, 3));
    expect(first(managed)[0]).toBeGreaterThan(250);
    expect(first(managed)[1]).toBeLessThan(6);
    expect(first(stored)[0]).toBeLessThan(245); // the P3 values as they are, as OpenCV's imread reads them
    expect(first(stored)[1]).toBeGreaterThan(30);
    expect(first(await decodeImage(p3, 'input', { colourManaged: false }))).toEqual(first(stored));
  });

  it('rejects bad input with clear errors', async () => {
    await expect(decodeImage(sample, 'input', { colourManaged: 'yes' as never })).rejects.toThrow(/options.colourManaged: expected a boolean, got/);
    await expect(decodeImage(Buffer.alloc(0))).rejects.toThrow(RangeError);
    await expect(decodeImage(Buffer.alloc(0))).rejects.toThrow(/0 bytes/);
    await expect(decodeImage(Buffer.from('name,identity\nfoo,bar\n'))).rejects.toThrow(TypeError);
    await expect(decodeImage(Buffer.from('name,identity\nfoo,bar\n'))).rejects.toThrow(/text starting 'name,identity/);
    const jpeg = fs.readFileSync(sample);
    await expect(decodeImage(jpeg.subarray(0, 2000))).rejects.toThrow(/input: .*(corrupt|truncated|not a decodable)/);
    await expect(decodeImage('/nonexistent/photo.jpg')).rejects.toThrow(/file not found/);
    await expect(decodeImage(os.tmpdir())).rejects.toThrow(TypeError);
    await expect(decodeImage(42 as never)).rejects.toThrow(/input: expected a file path/);
    await expect(decodeImage({ data: rgb, width: W, height: H + 1, channels: 3 })).rejects.toThrow(RangeError);
    await expect(decodeImage({ data: rgb, width: W, height: H, channels: 2 })).rejects.toThrow(/channels/);
    await expect(decodeImage({ data: Array.from(rgb), width: W, height: H, channels: 3 } as never)).rejects.toThrow(TypeError);
  });
});

describe.skipIf(!hasShared)('decodeImage on the shared photos whose names lie', () => {
  it('reads deepface img47.jpg (WebP) and insightface kun.jpg (PNG)', async () => {
    const webp = await decodeImage(sharedData('deepface/img47.jpg'));
    expect([webp.width, webp.height]).toEqual([1350, 1800]);
    const png = await decodeImage(sharedData('insightface/cpp-package/inspireface/test_res/data/bulk/kun.jpg'));
    expect(png.channels).toBe(3);
  });

  it('rotates image_T1.jpeg (EXIF 6, stored 640x480) upright', async () => {
    const img = await decodeImage(sharedData('insightface/cpp-package/inspireface/test_res/data/bulk/image_T1.jpeg'));
    expect([img.width, img.height]).toEqual([480, 640]);
  });

  it('decodes 32bit.png (RGBA) to 1200x626 RGB as face_recognition expects', async () => {
    const img = await decodeImage(sharedData('face_recognition/tests/test_images/32bit.png'));
    expect([img.height, img.width, img.channels]).toEqual([1200, 626, 3]);
  });
});
