// PostgresGallery keeps the Gallery contract: the same calls on it and on a FaceIndex give the
// same answers (hits, identities, filters, records, counts), and a second gallery on the same
// store (another process) sees the first one's writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaceIndex } from '../../src/gallery/face-index.js';
import type { Gallery } from '../../src/gallery/gallery.js';
import { PostgresGallery } from '../../src/store/postgres-gallery.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../helpers/postgres.js';
import { randomRows } from '../helpers/random.js';

const DIM = 24;
const options = { dim: DIM, modelKey: 'test-model' };

async function fill(g: Gallery): Promise<void> {
  const ids = Array.from({ length: 120 }, (_, i) => `face-${i}`);
  await g.add(ids.slice(0, 100), randomRows(100, DIM, 1), { labels: ids.slice(0, 100).map((_, i) => `p${i % 9}`), meta: ids.slice(0, 100).map((_, i) => ({ camera: i % 3 })) });
  expect(await g.remove(['face-3', 'face-7', 'face-3', 'nope'])).toBe(2);
  await g.add(ids.slice(100), randomRows(20, DIM, 2));  // labels default to the ids
}

describe.skipIf(!hasPostgres)('PostgresGallery', () => {
  let db: TestDatabase;
  let gallery: PostgresGallery;
  beforeEach(async () => {
    db = await createTestDatabase();
    gallery = await PostgresGallery.open(db.url, 'gallery-one', options);
  });
  afterEach(async () => {
    await gallery.close();
    await db.drop();
  });

  it('answers as a FaceIndex given the same calls', async () => {
    const reference = new FaceIndex({ dim: DIM });
    await fill(reference);
    await fill(gallery);
    expect(gallery.size).toBe(reference.size);
    const queries = randomRows(6, DIM, 3);
    expect(await gallery.search(queries, 7)).toEqual(await reference.search(queries, 7));
    const filter = { labels: ['p1', 'p2', 'face-110'], meta: { camera: 1 } };
    expect(await gallery.search(queries, 5, { filter })).toEqual(await reference.search(queries, 5, { filter }));
    expect(await gallery.searchLabels(queries, 4, { aggregate: 'mean' })).toEqual(await reference.searchLabels(queries, 4, { aggregate: 'mean' }));
    expect(gallery.get('face-10')).toEqual(reference.get('face-10'));
    expect(gallery.get('face-3')).toBeUndefined();
    expect(gallery.has('face-119')).toBe(true);
    expect([...gallery.entries()].map((e) => e.id).sort()).toEqual([...reference.entries()].map((e) => e.id).sort());
    await expect(gallery.add(['face-10'], randomRows(1, DIM, 4))).rejects.toThrow(/already in the collection/);
    await expect(gallery.add(['x'], randomRows(2, DIM, 4))).rejects.toThrow(/vectors: expected 1 rows/);
  });

  it('answers empty rows when empty; another gallery on the store sees the writes', async () => {
    expect(await gallery.search(randomRows(2, DIM, 5), 3)).toEqual([[], []]);
    const other = await PostgresGallery.open(db.url, 'gallery-one', options);
    const elsewhere = await PostgresGallery.open(db.url, 'gallery-two', options);
    try {
      await gallery.add(['a', 'b'], randomRows(2, DIM, 6), { labels: ['ann', 'bob'] });
      await other.sync();
      expect([...other.entries()].map((e) => [e.id, e.label])).toEqual([['a', 'ann'], ['b', 'bob']]);
      expect(elsewhere.size).toBe(0);
    } finally {
      await other.close();
      await elsewhere.close();
    }
  });
});
