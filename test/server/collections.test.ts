// A key's collection: subjects persist, renames merge, and a rename cut by a crash (faces
// removed, not yet re-added) is finished from its journal on the next open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Collection, collectionStem } from '../../src/server/collections.js';

const KEY = 'collection-key-123';
const unit = (seed: number) => {
  const v = Float32Array.from({ length: 8 }, (_, i) => Math.sin(seed * 7 + i * 3) + 0.1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

describe('Collection', () => {
  it('keeps subjects without faces, renames (merging) with the same ids and vectors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-coll-'));
    let c = await Collection.open(dir, KEY, 8);
    await c.index.add(['a1', 'a2', 'b1'], Float32Array.from([...unit(1), ...unit(2), ...unit(3)]), { labels: ['ann', 'ann', 'bob'] });
    await c.addSubject('ann');
    await c.addSubject('carl');
    await c.renameSubject('ann', 'bob');
    expect(c.subjects().sort()).toEqual(['bob', 'carl']);
    expect([...c.index.entries()].map((r) => [r.id, r.label]).sort()).toEqual([['a1', 'bob'], ['a2', 'bob'], ['b1', 'bob']]);
    expect(Array.from(c.index.get('a2')!.vector)).toEqual(Array.from(unit(2)));
    await c.close();
    c = await Collection.open(dir, KEY, 8);
    expect(c.subjects().sort()).toEqual(['bob', 'carl']);
    expect(fs.existsSync(path.join(dir, `${collectionStem(KEY)}.rename.json`))).toBe(false);
    await c.close();
  });

  it('finishes a rename a crash cut between remove and re-add', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-coll-'));
    const c = await Collection.open(dir, KEY, 8);
    const v = unit(5);
    await c.index.add(['x1'], v, { labels: ['old'], meta: [{ added: 1 }] });
    await c.addSubject('old');
    // The state a crash leaves: journal written, faces removed, nothing re-added.
    const journal = { from: 'old', to: 'new', faces: [{ id: 'x1', vector: Buffer.from(v.buffer).toString('base64'), meta: { added: 1 } }] };
    fs.writeFileSync(path.join(dir, `${collectionStem(KEY)}.rename.json`), JSON.stringify(journal));
    await c.index.remove(['x1']);
    await c.close();
    const again = await Collection.open(dir, KEY, 8);
    expect(again.subjects()).toEqual(['new']);
    const rec = again.index.get('x1')!;
    expect([rec.label, rec.meta, Array.from(rec.vector)]).toEqual(['new', { added: 1 }, Array.from(v)]);
    expect(fs.existsSync(path.join(dir, `${collectionStem(KEY)}.rename.json`))).toBe(false);
    await again.close();
  });
});
