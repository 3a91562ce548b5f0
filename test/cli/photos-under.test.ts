// photosUnder (enroll, cluster, the demo): photo files under a folder, links to photos included.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { photosUnder } from '../../src/cli/files.js';

describe('photosUnder', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-photos-under-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists photo files and links to photo files, not dangling links or other names, sorted', async () => {
    const outside = mkdtempSync(path.join(dir, 'outside-'));
    writeFileSync(path.join(outside, 'real.jpg'), 'x');
    mkdirSync(path.join(dir, 'people', 'ann'), { recursive: true });
    mkdirSync(path.join(dir, 'people', 'bob'));
    writeFileSync(path.join(dir, 'people', 'ann', 'b.png'), 'x');
    writeFileSync(path.join(dir, 'people', 'ann', 'notes.txt'), 'x');
    symlinkSync(path.join(outside, 'real.jpg'), path.join(dir, 'people', 'ann', 'a.jpg'));
    symlinkSync(path.join(outside, 'gone.jpg'), path.join(dir, 'people', 'bob', 'dangling.jpg'));
    symlinkSync(outside, path.join(dir, 'people', 'bob', 'folder.jpg'));
    expect(await photosUnder(path.join(dir, 'people'))).toEqual([path.join('ann', 'a.jpg'), path.join('ann', 'b.png')]);
  });
});
