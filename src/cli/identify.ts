// `facecore identify <photos...> --index gallery.fci [-k 5]`: who is each face? Every face of
// every photo is searched against the enrolled identities (each scored by its best face).
// Open-set: the best identity is only named when it scores at least the threshold, else the
// face is "unknown" (a stranger rather than a wrong name).

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FaceIndex } from '../gallery/face-index.js';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { eachLimited } from './files.js';
import { openGallery } from './gallery.js';
import {
  assertFiles, decisionThreshold, facesInFile, MODEL_OPTIONS, MODEL_USAGE, modelChoice, modelKey, modelName, openAnalyzer, round4, thresholdOption,
} from './models.js';
import { CliError, UsageError } from './output.js';

const USAGE = `Usage: facecore identify <photo>... --index <gallery.fci> [-k 5] [options]

Finds every face in each photo and names the best identities from the index (each identity
scored by its most similar enrolled face). A face whose best score is under the threshold is
"unknown". Photos that are missing, unreadable or show no face get a warning each; the exit
code is then 1 (after the other photos' results).

Options:
  --index <file>               the FaceIndex file made by 'facecore enroll' (required)
  -k, --top <k>                candidate identities listed per face (default 5)
${MODEL_USAGE}
  --json                       print the results as JSON
  -h, --help                   show this help`;

export interface IdentifiedFace {
  box: number[];
  detectionScore: number;
  /** The best identity at or over the threshold, else 'unknown'. */
  identity: string;
  score: number | null;
  candidates: { label: string; score: number }[];
}

interface PhotoResult {
  file: string;
  faces: IdentifiedFace[];
  error?: string;
}

export const identifyCommand: Command = {
  name: 'identify',
  summary: 'name the faces in photos from a face index (open-set)',
  usage: USAGE,
  options: { index: { type: 'string' }, top: { type: 'string', short: 'k' }, ...MODEL_OPTIONS },
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (args.positionals.length === 0) throw new UsageError('expected at least one <photo>');
    const indexArg = args.values.index as string | undefined;
    if (!indexArg) throw new UsageError('missing --index <gallery.fci>');
    const rawK = (args.values.top as string | undefined) ?? '5';
    const k = Number(rawK);
    if (!Number.isInteger(k) || k < 1 || k > 1000) throw new UsageError(`-k: expected an integer in [1, 1000], got ${JSON.stringify(rawK)}`);
    const given = thresholdOption(args.values);
    if (!existsSync(path.resolve(ctx.cwd, indexArg))) {
      throw new CliError(`index not found: ${indexArg} (create it with 'facecore enroll <dir> --index ${indexArg}')`);
    }
    // One photo: a missing file is the command's error; several: a warning each, as unreadable ones.
    if (args.positionals.length === 1) await assertFiles(ctx.cwd, args.positionals);

    const analyzer = await openAnalyzer(modelChoice(args.values, (p) => path.resolve(ctx.cwd, p)));
    let index: FaceIndex | undefined;
    try {
      const threshold = decisionThreshold(analyzer, given);
      const name = modelName(analyzer);
      index = await openGallery(path.resolve(ctx.cwd, indexArg), indexArg, {
        dim: analyzer.recognizer.dim, model: modelKey(analyzer), modelName: name, create: false, warn: (t) => ctx.output.warn(t),
      });
      if (index.size === 0) throw new CliError(`${indexArg} is empty: enroll faces first`);
      const gallery = index;
      const photos = args.positionals;
      const bar = ctx.output.progress('identifying', photos.length);
      const results = await eachLimited(photos, 2, async (label): Promise<PhotoResult> => {
        let found;
        try {
          found = await facesInFile(analyzer, path.resolve(ctx.cwd, label), label);
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          return { file: label, faces: [], error: err.message };
        }
        if (found.faces.length === 0) return { file: label, faces: [], error: `no face found in ${label}` };
        const dim = analyzer.recognizer.dim;
        const queries = new Float32Array(found.faces.length * dim);
        found.faces.forEach((f, i) => queries.set(f.embedding, i * dim));
        const hits = await gallery.searchLabels(queries, k);
        return {
          file: label,
          faces: found.faces.map((f, i) => {
            const best = hits[i]![0];
            const known = best !== undefined && best.score >= threshold;
            return {
              box: f.box.map((x) => Math.round(x)),
              detectionScore: round4(f.score),
              identity: known ? best.label : 'unknown',
              score: best ? round4(best.score) : null,
              candidates: hits[i]!.map((h) => ({ label: h.label, score: round4(h.score) })),
            };
          }),
        };
      }, (done) => bar.update(done));
      bar.done();

      const failed = results.filter((r) => r.error !== undefined);
      // One photo: its problem is the command's one-line error.
      if (photos.length === 1 && failed.length === 1) throw new CliError(failed[0]!.error!);
      for (const r of failed) ctx.output.warn(r.error!);
      ctx.output.result({ index: indexArg, model: name, threshold, k, photos: results });
      for (const r of results) {
        if (r.error !== undefined) continue;
        ctx.output.line(`${r.file}: ${r.faces.length} face(s)`);
        r.faces.forEach((f, i) => {
          const others = f.candidates.map((c) => `${c.label} ${c.score.toFixed(3)}`).join(', ');
          ctx.output.line(`  face ${i + 1} [${f.box.join(', ')}]  ${f.identity.padEnd(16)} ${f.score === null ? '' : f.score.toFixed(4)}   (${others})`);
        });
      }
      ctx.output.line(`threshold ${threshold} (${given === undefined ? 'calibrated' : '--threshold'}); index ${indexArg}: ${gallery.size} faces`);
      if (failed.length > 0) {
        ctx.output.warn(`${failed.length} of ${photos.length} photo(s) gave no result`);
        return 1;
      }
      return 0;
    } finally {
      await index?.close();
      await analyzer.dispose();
    }
  },
};
