import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePairsCsv } from '../../src/eval/csv.js';
import { cosine, scorePairs } from '../../src/eval/score-pairs.js';
import { thumbnailEmbed, writeTestImages } from '../helpers/thumbnail-embed.js';

describe('cosine', () => {
  it('is computed in float64 and 0 for a zero vector', () => {
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([0, 2]))).toBe(0);
    expect(cosine(Float32Array.from([3, 4]), Float32Array.from([6, 8]))).toBe(1);
    expect(cosine(Float32Array.from([1, 1]), Float32Array.from([-1, -1]))).toBe(-1);
    expect(cosine(Float32Array.from([0, 0]), Float32Array.from([1, 1]))).toBe(0);
  });
});

describe('scorePairs', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facecore-score-'));
    await writeTestImages(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true });
  });

  it('embeds each image once and skips unreadable and faceless ones with their pairs', async () => {
    const pairs = parsePairsCsv(
      'file_a,file_b,same\nred1.png,red2.png,1\nred1.png,blue1.png,0\nblue1.png,blue2.png,1\nred2.png,broken.png,0\nblank.png,red1.png,0\n',
    );
    const calls: string[] = [];
    const progress: number[] = [];
    const got = await scorePairs(pairs, {
      root: dir,
      embed: async (file) => {
        calls.push(path.basename(file));
        return thumbnailEmbed(file);
      },
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(calls.sort()).toEqual(['blank.png', 'blue1.png', 'blue2.png', 'broken.png', 'red1.png', 'red2.png']);
    expect(progress.at(-1)).toBe(1);
    expect([...got.kept]).toEqual([0, 1, 2]);
    expect([...got.same]).toEqual([1, 0, 1]);
    expect(got.scores[0]).toBeGreaterThan(got.scores[1]);
    expect(got.scores[2]).toBeGreaterThan(got.scores[1]);
    expect(got.skippedPairs).toBe(2);
    expect(got.skippedImages.map((s) => s.file).sort()).toEqual(['blank.png', 'broken.png']);
    expect(got.skippedImages.find((s) => s.file === 'blank.png')!.reason).toBe('no face found');
    expect(got.embeddedImages).toBe(4);
    expect(got.dim).toBe(48);
  });

  it('rejects embeddings of different lengths and a bad embed result', async () => {
    const pairs = parsePairsCsv('file_a,file_b,same\na,b,1\n');
    let n = 0;
    await expect(scorePairs(pairs, { root: dir, embed: async () => new Float32Array(++n) })).rejects.toThrow(
      new RangeError('embed("b"): expected an embedding of length 1 like the others, got 2'),
    );
    await expect(scorePairs(pairs, { root: dir, embed: async () => [1, 2] as never })).rejects.toThrow(TypeError);
    await expect(scorePairs(pairs, { root: dir, embed: 'x' as never })).rejects.toThrow(TypeError);
  });

  it('stops on an aborted signal', async () => {
    const pairs = parsePairsCsv('file_a,file_b,same\nred1.png,red2.png,1\n');
    await expect(scorePairs(pairs, { root: dir, embed: thumbnailEmbed, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});
