// A real, deliberately simple image embedder for CLI/eval tests: sharp decodes the file and
// shrinks it to a 4x4 RGB thumbnail (48 values, mean removed). Near-white images count as
// "no face". Images of one colour family score high against each other, so pairs have a known
// answer without any model.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export async function thumbnailEmbed(file: string): Promise<Float32Array | null> {
  const { data } = await sharp(file).removeAlpha().resize(4, 4, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  if (mean > 250) return null;
  return Float32Array.from(data, (v) => v - mean);
}

/** Gradient images in two colour families, a blank one and a file that is not an image. */
export async function writeTestImages(dir: string): Promise<void> {
  const image = (r: number, g: number, b: number, tilt: number) => {
    const w = 32;
    const px = Buffer.alloc(w * w * 3);
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const k = (y * w + x) * 3;
        const shade = ((x + tilt * y) * 4) % 64;
        px[k] = Math.min(255, r + shade);
        px[k + 1] = Math.min(255, g + shade);
        px[k + 2] = Math.min(255, b + shade);
      }
    }
    return sharp(px, { raw: { width: w, height: w, channels: 3 } }).png().toBuffer();
  };
  const files: [string, Promise<Buffer>][] = [
    ['red1.png', image(200, 20, 20, 0)],
    ['red2.png', image(190, 30, 10, 1)],
    ['red3.png', image(210, 10, 30, 2)],
    ['blue1.png', image(20, 20, 200, 0)],
    ['blue2.png', image(30, 10, 190, 1)],
    ['blue3.png', image(10, 30, 210, 2)],
    ['blank.png', sharp({ create: { width: 16, height: 16, channels: 3, background: '#ffffff' } }).png().toBuffer()],
  ];
  await Promise.all(files.map(async ([name, buf]) => writeFile(path.join(dir, name), await buf)));
  await writeFile(path.join(dir, 'broken.png'), 'not an image');
}
