// `facecore eval`: verification metrics of a model (or of precomputed scores) on a pair list,
// printed and written as report.json + ROC/DET plots (SVG and PNG).

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readPairsCsv, readScoresCsv, type PairRow } from '../eval/csv.js';
import { buildVerificationReport, writeReport, type VerificationReport, type WrittenReport } from '../eval/report.js';
import { scorePairs, type EmbedFn, type SkippedImage } from '../eval/score-pairs.js';
import type { FoldAssignment } from '../eval/accuracy.js';
import type { Command, CliContext, Embedder, ParsedArgs } from './command.js';
import { modelChoice } from './models.js';
import { CliError, UsageError, type Progress } from './output.js';

export interface EvalOptions {
  pairsPath: string;
  /** Folder the pair paths are relative to (default: the pairs file's folder). */
  root?: string;
  /** Embeds an image file; used unless scoresPath is given. */
  embed?: EmbedFn;
  /** A file_a,file_b,score CSV to evaluate instead of embedding. */
  scoresPath?: string;
  /** Output folder for report.json, roc/det .svg/.png. */
  outDir: string;
  modelName?: string;
  title?: string;
  folds?: number;
  assignment?: FoldAssignment;
  /** A pairs.csv column holding a group label per pair, for the bias breakdown. */
  groupColumn?: string;
  png?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface EvalResult {
  report: VerificationReport;
  files: WrittenReport;
  skippedImages: SkippedImage[];
  skippedPairs: number;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

async function readList<T>(what: string, file: string, read: (p: string) => Promise<T>): Promise<T> {
  try {
    return await read(file);
  } catch (err) {
    if (errno(err) === 'ENOENT') throw new CliError(`${what} file not found: ${file}`);
    if (errno(err) === 'EISDIR') throw new CliError(`${what} file is a folder: ${file}`);
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** Looks every pair up in a scores file (either order of the two files). */
async function scoresFromFile(pairs: readonly PairRow[], scoresPath: string) {
  const rows = await readList('scores', scoresPath, readScoresCsv);
  const byPair = new Map(rows.map((r) => [pairKey(r.fileA, r.fileB), r.score]));
  const scores = new Float64Array(pairs.length);
  pairs.forEach((p, i) => {
    const s = byPair.get(pairKey(p.fileA, p.fileB));
    if (s === undefined) throw new CliError(`${scoresPath}: no score for the pair ${p.fileA},${p.fileB} (pairs line ${p.line})`);
    scores[i] = s;
  });
  return { scores, same: Uint8Array.from(pairs, (p) => (p.same ? 1 : 0)), kept: Uint32Array.from(pairs, (_, i) => i), skippedImages: [], skippedPairs: 0 };
}

/**
 * The metrics/report half of `facecore eval`: reads the pair list, scores it (embedding every
 * image once, or from a scores file), computes every verification metric and writes the report.
 */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const pairs = await readList('pairs', options.pairsPath, readPairsCsv);
  if (pairs.length === 0) throw new CliError(`${options.pairsPath}: expected at least one pair, got none`);
  const root = options.root ?? path.dirname(options.pairsPath);
  let scored: { scores: Float64Array; same: Uint8Array; kept: Uint32Array; skippedImages: SkippedImage[]; skippedPairs: number; embeddedImages?: number; dim?: number };
  if (options.scoresPath !== undefined) scored = await scoresFromFile(pairs, options.scoresPath);
  else {
    if (!options.embed) throw new CliError('no embedder: pass an embed function or a scores file');
    const info = await stat(root).catch(() => null);
    if (!info?.isDirectory()) throw new CliError(`image root is not a folder: ${root}`);
    scored = await scorePairs(pairs, { root, embed: options.embed, onProgress: options.onProgress, signal: options.signal });
  }
  let groups: string[] | undefined;
  if (options.groupColumn !== undefined) {
    const column = options.groupColumn;
    if (!(column in pairs[0].extra)) throw new CliError(`${options.pairsPath}: no column ${JSON.stringify(column)} for --group-column`);
    groups = Array.from(scored.kept, (i) => pairs[i].extra[column]);
  }
  const meta: Record<string, unknown> = {
    pairsFile: options.pairsPath,
    ...(options.scoresPath !== undefined ? { scoresFile: options.scoresPath } : { root, model: options.modelName ?? null }),
    pairsListed: pairs.length,
    pairsScored: scored.scores.length,
    skippedPairs: scored.skippedPairs,
    skippedImages: scored.skippedImages,
    ...(scored.embeddedImages !== undefined ? { embeddedImages: scored.embeddedImages, embeddingDim: scored.dim } : {}),
    createdAt: new Date().toISOString(),
  };
  let report: VerificationReport;
  try {
    report = buildVerificationReport(scored.scores, scored.same, {
      title: options.title ?? path.basename(path.dirname(path.resolve(options.pairsPath))) + (options.modelName ? ` / ${options.modelName}` : ''),
      meta,
      folds: options.folds,
      assignment: options.assignment,
      groups,
    });
  } catch (err) {
    // e.g. every impostor pair lost to unreadable images: say so in one line.
    throw new CliError(`cannot evaluate ${options.pairsPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const files = await writeReport(options.outDir, report, { png: options.png ?? true });
  return { report, files, skippedImages: scored.skippedImages, skippedPairs: scored.skippedPairs };
}

function percent(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`;
}

function thresholdText(t: number | null): string {
  return t === null ? '' : t === Infinity ? ' (threshold: accept nothing)' : ` (threshold ${t.toFixed(4)})`;
}

/** The human summary `facecore eval` prints. */
export function summaryLines(result: EvalResult): string[] {
  const r = result.report;
  const lines = [
    `${r.title}: ${r.pairs} pairs (${r.positives} same, ${r.negatives} different)` +
      (result.skippedPairs ? `, ${result.skippedPairs} skipped (${result.skippedImages.length} images unusable)` : ''),
    `AUC               ${r.auc.toFixed(4)}`,
    `EER               ${percent(r.eer.eer)}${thresholdText(r.eer.threshold)}`,
  ];
  for (const t of r.tarAtFar) {
    const name = `TAR@FAR=${t.far.toExponential(0)}`;
    lines.push(`${name.padEnd(18)}${t.tar === null ? `n/a (${t.reason})` : percent(t.tar) + thresholdText(t.threshold)}`);
  }
  lines.push(
    r.kFold
      ? `${`${r.kFold.folds.length}-fold accuracy`.padEnd(18)}${percent(r.kFold.mean)} ± ${percent(r.kFold.std)}`
      : `${'k-fold accuracy'.padEnd(18)}n/a (${r.kFoldReason})`,
  );
  lines.push(`best accuracy     ${percent(r.bestAccuracy.accuracy)}${thresholdText(r.bestAccuracy.threshold)}`);
  if (r.groups) {
    const ratio = (s: { ratio: number | null; reason?: string }) => (s.ratio === null ? `n/a (${s.reason})` : s.ratio.toFixed(2));
    lines.push(`groups at threshold ${r.groups.threshold.toFixed(4)}: FMR worst/best ${ratio(r.groups.fmr)}, FNMR worst/best ${ratio(r.groups.fnmr)}`);
    for (const g of r.groups.groups) {
      lines.push(`  ${g.group.padEnd(16)} ${String(g.pairs).padStart(6)} pairs  FMR ${percent(g.fmr)}  FNMR ${percent(g.fnmr)}  AUC ${g.metrics ? g.metrics.auc.toFixed(4) : 'n/a'}`);
    }
  }
  const f = result.files;
  lines.push(`wrote ${[f.json, f.rocSvg, f.detSvg, f.rocPng, f.detPng].filter(Boolean).join(', ')}`);
  return lines;
}

const USAGE = `Usage: facecore eval --pairs <pairs.csv> [--root <dir>] [--out <dir>] [options]

Embeds every image of a pair list once, then prints AUC, EER, TAR@FAR (1e-1 ... 1e-4),
10-fold accuracy (LFW protocol) and best accuracy, and writes report.json, roc.svg, det.svg,
roc.png and det.png into --out.

Options:
  --pairs <file>          pair list: file_a,file_b,same (required)
  --root <dir>            folder the image paths are relative to (default: the list's folder)
  --out <dir>             output folder (default: facecore-eval)
  --model <name|file>     recogniser: faceres (default), mobileface or an ArcFace-style .onnx
  --detector <name|file>  detector: blazeface (default) or a SCRFD / YuNet / RetinaFace .onnx
  --cache <dir>           embedding cache root (default: FACECORE_CACHE or ~/.cache/facecore)
  --no-cache              embed every image again, store nothing
  --scores <file>         evaluate precomputed scores (file_a,file_b,score) instead of embedding
  --folds <k>             folds of the accuracy protocol (default: 10)
  --fold-order <how>      contiguous (default; LFW's folds) or interleaved (pair i -> fold i % k)
  --group-column <name>   per-group breakdown by this pairs.csv column
  --title <text>          title for the report and plots
  --no-png                write SVG only
  --json                  print the report (without the ROC arrays) as JSON
  -h, --help              show this help`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'verification metrics and ROC/DET plots on a pair list',
  usage: USAGE,
  options: {
    pairs: { type: 'string' },
    root: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    detector: { type: 'string' },
    cache: { type: 'string' },
    'no-cache': { type: 'boolean' },
    scores: { type: 'string' },
    folds: { type: 'string' },
    'fold-order': { type: 'string' },
    'group-column': { type: 'string' },
    title: { type: 'string' },
    'no-png': { type: 'boolean' },
  },
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    const v = args.values as Record<string, string | boolean | undefined>;
    const str = (name: string) => v[name] as string | undefined;
    const pairsPath = str('pairs');
    if (!pairsPath) throw new UsageError('missing --pairs <pairs.csv>');
    let folds: number | undefined;
    if (str('folds') !== undefined) {
      folds = Number(str('folds'));
      if (!Number.isInteger(folds) || folds < 2) throw new UsageError(`--folds: expected an integer >= 2, got ${JSON.stringify(str('folds'))}`);
    }
    const order = str('fold-order');
    if (order !== undefined && order !== 'contiguous' && order !== 'interleaved') {
      throw new UsageError(`--fold-order: expected contiguous or interleaved, got ${JSON.stringify(order)}`);
    }
    if (str('scores') !== undefined && (str('model') !== undefined || str('detector') !== undefined)) {
      throw new UsageError('--scores excludes --model and --detector');
    }
    if (str('cache') !== undefined && v['no-cache']) throw new UsageError('--cache and --no-cache exclude each other');
    const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(ctx.cwd, p));

    let embedder: Embedder | undefined;
    if (str('scores') === undefined) {
      embedder = await ctx.createEmbedder({
        ...modelChoice(v, (p) => path.resolve(ctx.cwd, p)),
        cacheDir: v['no-cache'] ? false : resolve(str('cache')),
      });
    }
    let bar: Progress | undefined;
    try {
      const result = await runEval({
        pairsPath: resolve(pairsPath)!,
        root: resolve(str('root')),
        scoresPath: resolve(str('scores')),
        embed: embedder?.embed,
        modelName: embedder?.name,
        outDir: resolve(str('out') ?? 'facecore-eval')!,
        title: str('title'),
        folds,
        assignment: order as FoldAssignment | undefined,
        groupColumn: str('group-column'),
        png: !v['no-png'],
        onProgress: (done, total) => {
          bar ??= ctx.output.progress('embedding', total);
          bar.update(done);
        },
      });
      bar?.done();
      for (const s of result.skippedImages) ctx.output.warn(`skipped ${s.file}: ${s.reason}`);
      if (result.skippedImages.length > 0) {
        ctx.output.warn(`${result.skippedImages.length} images unusable, ${result.skippedPairs} pairs left out of the metrics`);
      }
      const { roc: _roc, ...withoutRoc } = result.report;
      const groups = withoutRoc.groups && {
        ...withoutRoc.groups,
        groups: withoutRoc.groups.groups.map((g) => ({ ...g, metrics: g.metrics && (({ roc: _r, ...m }) => m)(g.metrics) })),
      };
      const cache = embedder?.cache && { dir: embedder.cache.dir, hits: embedder.cache.hits, misses: embedder.cache.misses };
      ctx.output.result({ ...withoutRoc, ...(groups ? { groups } : {}), files: result.files, ...(cache ? { cache } : {}) });
      for (const line of summaryLines(result)) ctx.output.line(line);
      if (cache) ctx.output.line(`embedding cache: ${cache.hits} hits, ${cache.misses} embedded (${cache.dir})`);
      return 0;
    } finally {
      bar?.done();
      await embedder?.close?.();
    }
  },
};
