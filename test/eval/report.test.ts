import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildVerificationReport, reportFromJson, reportToJson, writeReport } from '../../src/eval/report.js';

const scores = [0.875, 0.75, 0.75, 0.625, 0.5, 0.5, 0.25, 0.125, 0.875, 0.375, 0.25];
const same = [1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0];

describe('buildVerificationReport', () => {
  it('holds every metric with the ROC as plain arrays', () => {
    const report = buildVerificationReport(scores, same, { title: 'hand', meta: { model: 'none' }, farTargets: [0.25, 1e-2], folds: 2 });
    expect(report.format).toBe('facecore-verification-report');
    expect(report).toMatchObject({ title: 'hand', meta: { model: 'none' }, pairs: 11, positives: 5, negatives: 6 });
    expect(report.roc.thresholds[0]).toBe(Infinity);
    expect(Array.isArray(report.roc.far)).toBe(true);
    expect(report.tarAtFar[1].reason).toBe('not enough negatives: need >= 100, got 6');
    expect(report.kFold!.folds).toHaveLength(2);
    expect(report.groups).toBeUndefined();
  });

  it('adds a group breakdown at the EER threshold unless told otherwise', () => {
    const groups = same.map((_, i) => (i % 2 ? 'odd' : 'even'));
    const report = buildVerificationReport(scores, same, { groups, folds: 2 });
    expect(report.groups!.threshold).toBe(report.eer.threshold);
    expect(report.groups!.groups.map((g) => g.group)).toEqual(['even', 'odd']);
    expect(Array.isArray(report.groups!.groups[0].metrics!.roc.tar)).toBe(true);
    expect(buildVerificationReport(scores, same, { groups, folds: 2, groupThreshold: 0.3 }).groups!.threshold).toBe(0.3);
  });
});

describe('reportToJson / reportFromJson', () => {
  it('keeps Infinity thresholds through JSON', () => {
    const report = buildVerificationReport(scores, same, { folds: 2 });
    const text = reportToJson(report);
    expect(text).toContain('"Infinity"');
    expect(reportFromJson(text)).toEqual(report);
  });
});

describe('writeReport', () => {
  it('writes report.json, ROC and DET as SVG and PNG', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'facecore-report-'));
    try {
      const report = buildVerificationReport(scores, same, { title: 'hand', folds: 2 });
      const written = await writeReport(path.join(dir, 'out'), report);
      expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['det.png', 'det.svg', 'report.json', 'roc.png', 'roc.svg']);
      expect(reportFromJson(await readFile(written.json, 'utf8')).auc).toBe(report.auc);
      expect(await readFile(written.rocSvg, 'utf8')).toContain('ROC: hand');
      expect(await sharp(written.detPng!).metadata()).toMatchObject({ format: 'png', width: 640, height: 480 });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
