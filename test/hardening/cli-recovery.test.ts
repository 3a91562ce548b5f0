// Issue #13.4: the CLI says when opening an index cut a torn tail off its log.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGallery } from '../../src/cli/gallery.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { randomRows } from '../helpers/random.js';
import { tempDir } from '../gallery/tmpdir.js';

describe('CLI index recovery warning', () => {
  it('warns with the bytes and records dropped; says nothing for a clean log', async () => {
    const file = path.join(tempDir(), 'g.fidx');
    const index = await FaceIndex.open(file, { dim: 8 });
    await index.add(['a', 'b'], randomRows(2, 8, 1));
    await index.close();
    const warnings: string[] = [];
    const options = { dim: 8, model: 'm', modelName: 'model', create: false, warn: (t: string) => warnings.push(t) };
    await (await openGallery(file, 'g.fidx', options)).close();
    expect(warnings).toEqual([]);
    fs.appendFileSync(`${file}-wal`, Buffer.concat([Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 9]), Buffer.alloc(7)]));
    await (await openGallery(file, 'g.fidx', options)).close();
    expect(warnings).toEqual(["g.fidx: recovery dropped the log's last 16 bytes (1 record(s)), the torn tail of an interrupted write"]);
  });
});
