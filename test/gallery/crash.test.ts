// Crash safety with real processes: a child adds and removes batches in a loop and reports
// each acknowledged change; the parent SIGKILLs it at a random moment, then reopens the
// index and checks that every acknowledged face is there exactly once (with its vector and
// meta), every acknowledged removal stuck, each batch is all-or-nothing, and nothing is corrupt.
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild } from '../helpers/child-build.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { rng } from '../helpers/random.js';
import { batchIds, batchVectors, BATCH, DIM } from './fixtures/crash-batches.js';
import { tempDir } from './tmpdir.js';
import { runAndKill } from '../helpers/kill-child.js';

const ROUNDS = 20;
let childRoot = '';
beforeAll(() => {
  childRoot = buildForChild('test/gallery/fixtures');
});
afterAll(() => fs.rmSync(childRoot, { recursive: true, force: true }));

const runWriter = (file: string, first: number, delayMs: number) =>
  runAndKill(path.join(childRoot, 'test/gallery/fixtures/crash-writer.js'), [file, String(first)], delayMs);

function near(a: Float32Array, b: Float32Array): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= 2e-3 * Math.max(1, Math.abs(b[i])));
}

describe('crash safety', () => {
  it(`keeps every acknowledged change through ${ROUNDS} SIGKILLs at random moments`, async () => {
    const file = path.join(tempDir(), 'crash.fidx');
    const random = rng(2024);
    const added = new Set<number>(), removed = new Set<number>();
    // Changes in flight at the kill may or may not have landed (each batch all-or-nothing).
    let first = 0, acknowledgedTotal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const lines = await runWriter(file, first, Math.floor(random() * 250));
      const removing = new Set<number>();
      for (const line of lines) {
        const [what, b] = line.split(' ');
        if (what === 'add') added.add(Number(b));
        if (what === 'removing') removing.add(Number(b));
        if (what === 'remove') removed.add(Number(b));
      }
      acknowledgedTotal += lines.filter((l) => l.startsWith('add ') || l.startsWith('remove ')).length;
      const index = await FaceIndex.open(file);
      try {
        const entries = [...index.entries()];
        const ids = entries.map((e) => e.id);
        expect(new Set(ids).size, `round ${round}: duplicate ids`).toBe(ids.length);
        expect(index.size).toBe(ids.length);
        const batchesPresent = new Map<number, number>();
        for (const e of entries) {
          const b = Number(e.id.split('-')[0]);
          batchesPresent.set(b, (batchesPresent.get(b) ?? 0) + 1);
        }
        for (const [b, count] of batchesPresent) {
          expect(count, `round ${round}: batch ${b} partly present`).toBe(BATCH);
          expect(b, `round ${round}: batch ${b} from nowhere`).toBeLessThan(first + 3 * 1000);
        }
        for (const b of added) {
          if (removing.has(b) && !removed.has(b)) continue;
          if (removed.has(b)) {
            expect(batchesPresent.has(b), `round ${round}: removed batch ${b} came back`).toBe(false);
            continue;
          }
          expect(batchesPresent.get(b), `round ${round}: acknowledged batch ${b} lost`).toBe(BATCH);
          const want = batchVectors(b);
          batchIds(b).forEach((id, j) => {
            const got = index.get(id)!;
            let sq = 0;
            for (let k = 0; k < DIM; k++) sq += want[j * DIM + k] ** 2;
            const unit = want.subarray(j * DIM, (j + 1) * DIM).map((v) => v / Math.sqrt(sq));
            expect(near(got.vector, unit), `round ${round}: ${id} vector`).toBe(true);
            expect(got.meta).toEqual({ b, j });
          });
        }
        // From here on the parent's view follows the file.
        for (const b of batchesPresent.keys()) added.add(b);
        for (const b of added) if (!batchesPresent.has(b)) removed.add(b);
      } finally {
        await index.close();
      }
      first += 3000;  // the next run's batch numbers never collide with this one's
    }
    expect(acknowledgedTotal, 'the writer acknowledged changes before being killed').toBeGreaterThan(ROUNDS);
  }, 60_000);
});
