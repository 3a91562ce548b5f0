// The demo on a folder of the user's photos (`npm run demo -- <folder>`): every image in it, an
// unreadable file skipped with a warning, and a printed grouping that names each face as the
// picture labels it (photo#face, photos numbered in the folder's sorted order).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleTree } from './example-tree.js';
import { hasShared, sharedData } from '../helpers/shared.js';

const run = promisify(execFile);
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

describe('examples/demo.js on a folder', () => {
  // deepface img1, img2: Angelina Jolie; img8, img9: deepface_p08 (../shared/data/deepface/labels.csv).
  it.skipIf(!hasShared)('groups the photos of a folder and says which faces went together (needs ../shared)', async () => {
    const tree = exampleTree();
    const photos = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-demo-photos-'));
    cleanup.push(tree, photos);
    for (const f of ['img1.jpg', 'img2.jpg', 'img8.jpg', 'img9.jpg']) fs.copyFileSync(sharedData('deepface', f), path.join(photos, f));
    fs.writeFileSync(path.join(photos, 'broken.jpg'), 'not a photo');
    const out = path.join(photos, 'out');

    const { stdout, stderr } = await run(process.execPath, [path.join(tree, 'examples/demo.js'), photos, '--out', out], { cwd: tree });
    // Sorted: 1 broken.jpg (skipped), 2 img1, 3 img2, 4 img8, 5 img9.
    expect(stderr).toMatch(/skipped .*broken\.jpg/);
    expect(stdout).toMatch(/^facecore demo: 5 photos \(1 unreadable, skipped\), 4 faces/m);
    expect(stdout).toMatch(/^2 people, 2 of them in more than one photo/m);
    expect(stdout).toMatch(/^ {2}person +\d+: 2#1 3#1 {2}\(img1\.jpg, img2\.jpg\)$/m);
    expect(stdout).toMatch(/^ {2}person +\d+: 4#1 5#1 {2}\(img8\.jpg, img9\.jpg\)$/m);
    const meta = await sharp(path.join(out, 'faces.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThanOrEqual(2 * (6 + 2 * 118));
  });
});
