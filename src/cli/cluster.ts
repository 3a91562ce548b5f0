// `facecore cluster <dir|index> --out people.json [--html report.html]`: groups the faces of a
// photo folder (every face of every photo) or of a FaceIndex file into people with batch
// average linkage on the exact k-NN graph, and writes the groups (and a contact sheet).

import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clusterEmbeddingsAsync } from '../cluster/graph-cluster.js';
import type { FaceAnalyzer } from '../pipeline/face-analyzer.js';
import { contactSheetHtml, type SheetFace } from '../people/contact-sheet.js';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { eachLimited, photosUnder } from './files.js';
import { facesInFile, MODEL_CHOICE_USAGE, MODEL_OPTIONS, modelChoice, modelName, openAnalyzer, round4, thresholdOption } from './models.js';
import { CliError, UsageError } from './output.js';

const USAGE = `Usage: facecore cluster <dir|index.fci> --out <people.json> [options]

Groups faces into people. <dir>: every face of every photo under it is detected and embedded.
<index.fci>: the faces of a FaceIndex file (e.g. from 'facecore enroll'). Grouping is average
linkage on the exact k-nearest-neighbour graph: two groups join while their faces match at
least --threshold on average.

Options:
  --out <file>                 people as JSON (required)
  --html <file>                a contact sheet: each person's aligned face crops (photo folders)
  --threshold <cosine>         group threshold (default: the recogniser's calibrated group threshold;
                               for an index file, the default recogniser's)
  --min-faces <n>              people with fewer faces are left unassigned (default 1)
  --graph exact|ivf            the neighbour graph: exact (default, all pairs) or ivf (approximate,
                               several times faster from ~10,000 faces; see docs/people.md)
${MODEL_CHOICE_USAGE}
  --json                       print the summary as JSON
  -h, --help                   show this help`;

interface Face {
  /** Photo path relative to the folder (or the index's face id) and the face's box. */
  source: string;
  box?: number[];
  crop?: string;
}

async function crop(analyzer: FaceAnalyzer, file: string, landmarks: Float32Array): Promise<string> {
  const [{ decodeImage }, { alignFaces }, { alignmentPoints }, sharp] = await Promise.all([
    import('../image/decode.js'), import('../align/align-faces.js'), import('../pipeline/align-step.js'), import('sharp'),
  ]);
  const image = await decodeImage(file);
  const { template, pick } = alignmentPoints(analyzer.detector.landmarkKind, 112);
  const { tensor } = alignFaces(image, [pick(landmarks)], { size: 112, template, output: 'uint8' });
  const jpeg = await sharp.default(Buffer.from(tensor.buffer, tensor.byteOffset, tensor.length), { raw: { width: 112, height: 112, channels: 3 } })
    .jpeg({ quality: 80 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

async function facesOfFolder(dir: string, dirArg: string, args: ParsedArgs, ctx: CliContext, html: boolean) {
  const photos = await photosUnder(dir);
  if (photos.length === 0) throw new CliError(`no photos under ${dirArg}`);
  const analyzer = await openAnalyzer(modelChoice(args.values, (p) => path.resolve(ctx.cwd, p)));
  try {
    const faces: Face[] = [], vectors: Float32Array[] = [];
    const bar = ctx.output.progress('detecting', photos.length);
    await eachLimited(photos, 2, async (rel) => {
      let found;
      try {
        found = await facesInFile(analyzer, path.join(dir, rel), path.join(dirArg, rel));
      } catch (err) {
        if (err instanceof CliError) return ctx.output.warn(`skipped: ${err.message}`);
        throw err;
      }
      for (const f of found.faces) {
        const face: Face = { source: rel.split(path.sep).join('/'), box: f.box.map((x) => Math.round(x)) };
        if (html) face.crop = await crop(analyzer, path.join(dir, rel), f.landmarks);
        faces.push(face);
        vectors.push(f.embedding);
      }
    }, (done) => bar.update(done));
    bar.done();
    const { id, thresholds } = analyzer.recognizer;
    return { faces, vectors, dim: analyzer.recognizer.dim, model: modelName(analyzer), groupThreshold: thresholds.group, recognizer: id };
  } finally {
    await analyzer.dispose();
  }
}

async function facesOfIndex(file: string) {
  const { FaceIndex } = await import('../gallery/face-index.js');
  const index = await FaceIndex.open(file);
  try {
    const faces: Face[] = [], vectors: Float32Array[] = [];
    for (const e of index.entries()) {
      faces.push({ source: e.id });
      vectors.push(e.vector);
    }
    // An index records no model: its faces are taken to come from the default recogniser.
    const { DEFAULT_RECOGNIZER } = await import('../models/registry.js');
    const { knownRecognizerByName } = await import('../models/known-models.js');
    const groupThreshold = knownRecognizerByName(DEFAULT_RECOGNIZER)?.groupThreshold;
    return { faces, vectors, dim: index.dim, model: 'index', groupThreshold, recognizer: DEFAULT_RECOGNIZER };
  } finally {
    await index.close();
  }
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'group the faces of a photo folder or face index into people',
  usage: USAGE,
  options: {
    out: { type: 'string' }, html: { type: 'string' }, 'min-faces': { type: 'string' }, graph: { type: 'string' },
    threshold: MODEL_OPTIONS.threshold!, model: MODEL_OPTIONS.model!, detector: MODEL_OPTIONS.detector!,
  },
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (args.positionals.length !== 1) throw new UsageError(`expected one <dir|index.fci>, got ${args.positionals.length} argument(s)`);
    const outArg = args.values.out as string | undefined;
    if (!outArg) throw new UsageError('missing --out <people.json>');
    const htmlArg = args.values.html as string | undefined;
    const given = thresholdOption(args.values);
    const rawMin = (args.values['min-faces'] as string | undefined) ?? '1';
    const minFaces = Number(rawMin);
    if (!Number.isInteger(minFaces) || minFaces < 1) throw new UsageError(`--min-faces: expected an integer >= 1, got ${JSON.stringify(rawMin)}`);
    const graph = (args.values.graph as string | undefined) ?? 'exact';
    if (graph !== 'exact' && graph !== 'ivf') throw new UsageError(`--graph: expected exact or ivf, got ${JSON.stringify(graph)}`);
    const input = args.positionals[0]!;
    const info = await stat(path.resolve(ctx.cwd, input)).catch(() => null);
    if (!info) throw new CliError(`not found: ${input}`);

    const { faces, vectors, dim, model, groupThreshold, recognizer } = info.isDirectory()
      ? await facesOfFolder(path.resolve(ctx.cwd, input), input, args, ctx, htmlArg !== undefined)
      : await facesOfIndex(path.resolve(ctx.cwd, input));
    const threshold = given ?? groupThreshold;
    if (threshold === undefined) {
      throw new CliError(`the recogniser '${recognizer}' has no calibrated group threshold; pass --threshold <cosine>`);
    }
    const x = new Float32Array(faces.length * dim);
    vectors.forEach((v, i) => x.set(v, i * dim));
    const bar = ctx.output.progress('grouping', 100);
    const { labels, count } = await clusterEmbeddingsAsync(x, dim, { threshold, minFaces, graph, onProgress: (f) => bar.update(Math.round(100 * f)) });
    bar.done();

    const people = Array.from({ length: count }, (_, i) => ({ person: `p${i + 1}`, faces: [] as Face[] }));
    const unassigned: Face[] = [];
    faces.forEach((f, i) => (labels[i] >= 0 ? people[labels[i]].faces : unassigned).push(f));
    const plain = (f: Face) => (f.box ? { file: f.source, box: f.box } : { id: f.source });
    const report = {
      input, model, threshold: round4(threshold), minFaces, graph, faces: faces.length, people: people.length,
      groups: people.map((p) => ({ person: p.person, faces: p.faces.map(plain) })), unassigned: unassigned.map(plain),
    };
    await writeFile(path.resolve(ctx.cwd, outArg), JSON.stringify(report, null, 2) + '\n');
    if (htmlArg) {
      const sheet = (f: Face): SheetFace => ({ label: f.source, image: f.crop });
      const html = contactSheetHtml(`People in ${input}`, people.map((p) => ({ person: p.person, faces: p.faces.map(sheet) })), unassigned.map(sheet));
      await writeFile(path.resolve(ctx.cwd, htmlArg), html);
    }
    ctx.output.result({ ...report, groups: undefined, unassigned: unassigned.length, out: outArg, html: htmlArg });
    ctx.output.line(`${faces.length} face(s) -> ${people.length} people (${unassigned.length} unassigned) at threshold ${threshold}; wrote ${outArg}${htmlArg ? ` and ${htmlArg}` : ''}`);
    return 0;
  },
};
