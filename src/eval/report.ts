// A verification report: every metric of one run as a JSON-ready object, written to a folder as
// report.json, roc.svg, det.svg and their PNGs (rendered by sharp from the same SVG).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { groupBreakdown, type GroupBreakdown, type GroupMetrics } from './groups.js';
import { verificationMetrics, type VerificationMetrics, type VerificationOptions } from './metrics.js';
import { detSvg, rocSvg, type PlotSeries } from './plot.js';
import { describeValue, type SameLabels, type Scores } from './validate.js';

export interface ReportOptions extends VerificationOptions {
  /** Shown on the plots and in the JSON (e.g. the data set and model). */
  title?: string;
  /** Free-form facts about the run (model, data, command), copied into the JSON. */
  meta?: Record<string, unknown>;
  /** One group label per pair for a bias breakdown. */
  groups?: readonly string[];
  /** Threshold for the per-group FMR/FNMR comparison (default: the overall EER threshold). */
  groupThreshold?: number;
}

/** VerificationMetrics with the ROC as plain arrays. */
export interface ReportMetrics extends Omit<VerificationMetrics, 'roc'> {
  roc: { thresholds: number[]; far: number[]; tar: number[] };
}

export interface GroupReport extends Omit<GroupMetrics, 'metrics'> {
  metrics: ReportMetrics | null;
}

export interface VerificationReport extends ReportMetrics {
  format: 'facecore-verification-report';
  version: 1;
  title: string;
  meta: Record<string, unknown>;
  groups?: Omit<GroupBreakdown, 'groups'> & { groups: GroupReport[] };
}

function plainMetrics(m: VerificationMetrics): ReportMetrics {
  const { roc, ...rest } = m;
  return { ...rest, roc: { thresholds: Array.from(roc.thresholds), far: Array.from(roc.far), tar: Array.from(roc.tar) } };
}

/** Computes every verification metric (and the group breakdown when `groups` is given). */
export function buildVerificationReport(scores: Scores, same: SameLabels, options: ReportOptions = {}): VerificationReport {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(options)}`);
  const metrics = verificationMetrics(scores, same, options);
  const report: VerificationReport = {
    format: 'facecore-verification-report',
    version: 1,
    title: options.title ?? 'verification',
    meta: { ...(options.meta ?? {}) },
    ...plainMetrics(metrics),
  };
  if (options.groups !== undefined) {
    const breakdown = groupBreakdown(scores, same, options.groups, { ...options, threshold: options.groupThreshold ?? metrics.eer.threshold });
    report.groups = { ...breakdown, groups: breakdown.groups.map((g) => ({ ...g, metrics: g.metrics && plainMetrics(g.metrics) })) };
  }
  return report;
}

/**
 * JSON text of a report. JSON has no Infinity; the threshold "accept nothing" is written as the
 * string "Infinity" (and read back with reportFromJson) rather than silently becoming null.
 */
export function reportToJson(report: VerificationReport): string {
  return JSON.stringify(report, (_key, value) => (value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : value), 2) + '\n';
}

export function reportFromJson(text: string): VerificationReport {
  return JSON.parse(text, (_key, value) => (value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : value)) as VerificationReport;
}

/** The report's ROC as a plot series, labelled with its AUC and EER. */
export function reportSeries(report: VerificationReport, label = report.title): PlotSeries {
  return { label: `${label} (AUC ${report.auc.toFixed(4)}, EER ${(report.eer.eer * 100).toFixed(2)}%)`, far: report.roc.far, tar: report.roc.tar };
}

export function reportRocSvg(report: VerificationReport): string {
  return rocSvg([reportSeries(report)], { title: `ROC: ${report.title}` });
}

export function reportDetSvg(report: VerificationReport): string {
  return detSvg([reportSeries(report)], { title: `DET: ${report.title}` });
}

/** Rasterises an SVG string with sharp (librsvg). */
export async function svgToPng(svg: string): Promise<Buffer> {
  if (typeof svg !== 'string') throw new TypeError(`svg: expected an SVG string, got ${describeValue(svg)}`);
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface WrittenReport {
  json: string;
  rocSvg: string;
  detSvg: string;
  rocPng?: string;
  detPng?: string;
}

/** Writes report.json, roc.svg, det.svg (and roc.png, det.png unless png is false) into `dir`. */
export async function writeReport(dir: string, report: VerificationReport, options: { png?: boolean } = {}): Promise<WrittenReport> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`dir: expected a folder path, got ${describeValue(dir)}`);
  await mkdir(dir, { recursive: true });
  const out: WrittenReport = {
    json: path.join(dir, 'report.json'),
    rocSvg: path.join(dir, 'roc.svg'),
    detSvg: path.join(dir, 'det.svg'),
  };
  const roc = reportRocSvg(report);
  const det = reportDetSvg(report);
  await Promise.all([writeFile(out.json, reportToJson(report)), writeFile(out.rocSvg, roc), writeFile(out.detSvg, det)]);
  if (options.png ?? true) {
    out.rocPng = path.join(dir, 'roc.png');
    out.detPng = path.join(dir, 'det.png');
    const [rocPng, detPng] = await Promise.all([svgToPng(roc), svgToPng(det)]);
    await Promise.all([writeFile(out.rocPng, rocPng), writeFile(out.detPng, detPng)]);
  }
  return out;
}
