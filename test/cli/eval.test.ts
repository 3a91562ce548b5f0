import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval } from '../../src/cli/eval.js';
import { main } from '../../src/cli/main.js';
import { auc } from '../../src/eval/roc.js';
import { reportFromJson } from '../../src/eval/report.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { thumbnailEmbed, writeTestImages } from '../helpers/thumbnail-embed.js';
import { capture } from './capture.js';


const embedder = async () => ({ name: 'thumbnail', embed: thumbnailEmbed });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facecore-cli-eval-'));
  await mkdir(path.join(dir, 'images'));
  await writeTestImages(path.join(dir, 'images'));
  const reds = ['red1.png', 'red2.png', 'red3.png'];
  const blues = ['blue1.png', 'blue2.png', 'blue3.png'];
  const rows = ['file_a,file_b,same,group'];
  for (const fam of [reds, blues]) {
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) rows.push(`${fam[i]},${fam[j]},1,${fam === reds ? 'r' : 'b'}`);
  }
  for (const r of reds) for (const b of blues) rows.push(`${r},${b},0,${r === 'red1.png' ? 'r' : 'b'}`);
  rows.push('broken.png,red1.png,0,r');
  await writeFile(path.join(dir, 'images', 'pairs.csv'), rows.join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true });
});

describe('facecore eval', () => {
  it('embeds, prints the metrics, warns about skipped images and writes the report', async () => {
    const c = capture();
    const code = await main(['eval', '--pairs', 'images/pairs.csv', '--out', 'out', '--folds', '3', '--group-column', 'group'], {
      ...c,
      cwd: dir,
      createEmbedder: embedder,
    });
    expect(c.err()).toMatch(/^warning: skipped broken\.png: [^\n]+\nwarning: 1 images unusable, 1 pairs left out of the metrics\n$/);
    expect(code).toBe(0);
    const out = c.out();
    expect(out).toContain('images / thumbnail: 15 pairs (6 same, 9 different), 1 skipped (1 images unusable)');
    expect(out).toMatch(/AUC\s+1\.0000/);
    expect(out).toMatch(/EER\s+0\.00%/);
    expect(out).toContain('TAR@FAR=1e-1      n/a (not enough negatives: need >= 10, got 9)');
    expect(out).toMatch(/3-fold accuracy\s+\d+\.\d+% ± \d+\.\d+%/);
    expect(out).toMatch(/groups at threshold/);
    expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['det.png', 'det.svg', 'report.json', 'roc.png', 'roc.svg']);
    const report = reportFromJson(await readFile(path.join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.meta).toMatchObject({ model: 'thumbnail', pairsListed: 16, pairsScored: 15, skippedPairs: 1, embeddedImages: 6, embeddingDim: 48 });
    expect(report.groups!.groups.map((g) => g.group)).toEqual(['r', 'b']);
  });

  it('evaluates a scores file and prints JSON with --json', async () => {
    const pairs = 'file_a,file_b,same\na,b,1\na,c,0\nb,c,0\nc,d,1\n';
    const scores = 'file_a,file_b,score\nb,a,0.9\na,c,0.8\nc,b,0.8\nc,d,0.5\n';
    await writeFile(path.join(dir, 'p.csv'), pairs);
    await writeFile(path.join(dir, 's.csv'), scores);
    const c = capture();
    const code = await main(['eval', '--pairs', 'p.csv', '--scores', 's.csv', '--out', 'sout', '--no-png', '--json', '--folds', '2'], { ...c, cwd: dir });
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(c.out());
    // 0.9 beats both impostors (2); 0.5 beats none (0): AUC 2/4.
    expect(result.auc).toBe(auc([0.9, 0.8, 0.8, 0.5], [1, 0, 0, 1]));
    expect(result.auc).toBe(0.5);
    expect(result.roc).toBeUndefined();
    expect(result.meta.scoresFile).toBe(path.join(dir, 's.csv'));
    expect((await readdir(path.join(dir, 'sout'))).sort()).toEqual(['det.svg', 'report.json', 'roc.svg']);
  });

  it('fails in one line with exit code 1 or 2', async () => {
    const cases: [string[], number, RegExp][] = [
      [['eval'], 2, /^facecore eval: missing --pairs <pairs.csv>$/],
      [['eval', '--pairs', 'nope.csv', '--scores', 's.csv'], 1, /^facecore eval: pairs file not found: .*nope\.csv$/],
      [['eval', '--pairs', 'p.csv', '--model', 'missing.onnx'], 1, /^facecore eval: cannot load the models: .*missing\.onnx/],
      [['eval', '--pairs', 'p.csv', '--model', 'faceres', '--scores', 's.csv'], 2, /^facecore eval: --scores excludes --model and --detector$/],
      [['eval', '--pairs', 'p.csv', '--cache', 'c', '--no-cache'], 2, /^facecore eval: --cache and --no-cache exclude each other$/],
      [['eval', '--pairs', 'p.csv', '--folds', '1', '--scores', 's.csv'], 2, /^facecore eval: --folds: expected an integer >= 2, got "1"$/],
      [['eval', '--pairs', 'p.csv', '--fold-order', 'random', '--scores', 's.csv'], 2, /^facecore eval: --fold-order: expected contiguous or interleaved/],
      [['eval', '--pairs', 'p.csv', '--scores', 'p.csv'], 1, /^facecore eval: .*p\.csv:1: expected a header with columns file_a,file_b,score/],
      [['eval', '--pairs', 'p.csv', '--group-column', 'sex', '--scores', 's.csv'], 1, /^facecore eval: .*p\.csv: no column "sex" for --group-column$/],
    ];
    for (const [argv, exit, message] of cases) {
      const c = capture();
      expect(await main(argv, { ...c, cwd: dir })).toBe(exit);
      expect(c.err().split('\n')[0]).toMatch(message);
    }
  });

  it('says so when the images leave one class empty', async () => {
    await writeFile(path.join(dir, 'images', 'onlysame.csv'), 'file_a,file_b,same\nred1.png,red2.png,1\nred1.png,broken.png,0\n');
    await expect(runEval({ pairsPath: path.join(dir, 'images', 'onlysame.csv'), embed: thumbnailEmbed, outDir: path.join(dir, 'x') })).rejects.toThrow(
      /cannot evaluate .*onlysame\.csv: same: expected at least one genuine \(1\) and one impostor \(0\) pair, got 1 genuine and 0 impostor/,
    );
  });

  describe.skipIf(!hasShared)('on ../shared/data (skipped: ../shared is absent)', () => {
    it('runs on face_api_js/pairs.csv end to end', async () => {
      const result = await runEval({
        pairsPath: sharedData('face_api_js/pairs.csv'),
        embed: thumbnailEmbed,
        modelName: 'thumbnail',
        outDir: path.join(dir, 'faceapi'),
        png: false,
      });
      expect(result.report.pairs).toBe(780);
      expect(result.report.positives).toBe(80);
      expect(result.report.kFold!.folds).toHaveLength(10);
      expect(result.report.auc).toBeGreaterThan(0);
    });
  });
});
