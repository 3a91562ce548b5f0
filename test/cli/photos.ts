// Photos the CLI tests use: the six group photos shipped with @vladmandic/face-api (always
// installed), plus files made here (a re-encoded copy, a photo without a face, a broken file).
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const demoDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

/** demo/sample<i>.jpg, i = 1..6 (1920 px wide group photos, 3-5 faces each). */
export const samplePhoto = (i: number) => path.join(demoDir, `sample${i}.jpg`);

/** The same photo smaller and re-encoded (same people, other bytes). */
export async function reencoded(i: number, file: string): Promise<void> {
  await sharp(samplePhoto(i)).resize({ width: 1440 }).jpeg({ quality: 85 }).toFile(file);
}

/** A plain grey PNG: decodable, no face. */
export async function faceless(file: string): Promise<void> {
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).png().toFile(file);
}
