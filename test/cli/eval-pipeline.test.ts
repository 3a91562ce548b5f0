// `facecore eval` on the real face pipeline (default models) and its on-disk embedding cache.
import { mkdtemp, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { capture } from './capture.js';
import { reencoded, samplePhoto } from './photos.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facecore-cli-evalp-'));
  // Genuine pairs: a photo and its smaller re-encoded copy (same main face, other bytes).
  // Impostor pairs: main faces of different photos (different people).
  const rows = ['file_a,file_b,same'];
  for (const i of [1, 3, 6]) {
    await copyFile(samplePhoto(i), path.join(dir, `s${i}.jpg`));
    await reencoded(i, path.join(dir, `s${i}b.jpg`));
    rows.push(`s${i}.jpg,s${i}b.jpg,1`);
  }
  for (const [a, b] of [[1, 3], [1, 6], [3, 6]]) rows.push(`s${a}.jpg,s${b}.jpg,0`, `s${a}b.jpg,s${b}b.jpg,0`, `s${a}.jpg,s${b}b.jpg,0`);
  await writeFile(path.join(dir, 'pairs.csv'), rows.join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true });
});

async function evalJson(...extra: string[]) {
  const c = capture();
  const code = await main(['eval', '--pairs', 'pairs.csv', '--out', 'out', '--no-png', '--folds', '3', '--json', ...extra], { ...c, cwd: dir });
  expect(c.err()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(c.out());
}

describe('facecore eval with the default models', () => {
  it('embeds each image once, separates the pairs, and a rerun reads every embedding from the cache', async () => {
    const first = await evalJson('--cache', 'cache');
    expect(first.meta).toMatchObject({ model: 'foamliu-mobilefacenet + yunet', pairsScored: 12, embeddedImages: 6, embeddingDim: 128, skippedPairs: 0 });
    expect(first.auc).toBe(1);
    expect(first.cache).toMatchObject({ hits: 0, misses: 6 });
    const entries = await readdir(first.cache.dir);
    expect(entries).toHaveLength(6);
    expect(entries.every((e: string) => /^[0-9a-f]{64}\.f32$/.test(e))).toBe(true);

    const second = await evalJson('--cache', 'cache');
    expect(second.cache).toMatchObject({ hits: 6, misses: 0 });
    expect(second.auc).toBe(first.auc);
    expect(second.eer).toEqual(first.eer);
    expect(second.bestAccuracy).toEqual(first.bestAccuracy);

    const uncached = await evalJson('--no-cache');
    expect(uncached.cache).toBeUndefined();
    expect(uncached.bestAccuracy).toEqual(first.bestAccuracy);
  });

  it('re-embeds a cache entry that does not fit (another dim, a foreign file)', async () => {
    const { cache } = await evalJson('--cache', 'cache');
    const [entry] = (await readdir(cache.dir)).sort();
    await writeFile(path.join(cache.dir, entry!), Buffer.alloc(12));
    const again = await evalJson('--cache', 'cache');
    expect(again.cache).toMatchObject({ hits: 5, misses: 1 });
    expect(again.auc).toBe(1);
  });
});

describe.skipIf(!hasShared)('facecore eval on ../shared/data/deepface (skipped: ../shared is absent)', () => {
  it('keeps the default model\'s AUC >= 0.99 (the CI gate)', async () => {
    const c = capture();
    const code = await main(['eval', '--pairs', sharedData('deepface', 'pairs.csv'), '--out', path.join(dir, 'deepface'), '--no-png', '--json'], { ...c, cwd: dir });
    expect(code).toBe(0);
    const report = JSON.parse(c.out());
    expect(report.pairs).toBe(298);
    expect(report.auc).toBeGreaterThanOrEqual(0.99);
  });
});
