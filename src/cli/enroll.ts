// `facecore enroll <dir> --index gallery.fci`: a folder per identity into a durable FaceIndex.
// Each photo's main face is embedded and added under the id "<identity>/<file>", labelled with
// the identity. Photos already in the index are left alone, so a rerun adds only new photos.
// With --queue the photos become jobs for `facecore worker` instead (enroll-queue.ts).

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { STORAGES, type Storage } from '../core/codes.js';
import type { FaceIndex } from '../gallery/face-index.js';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { eachLimited, photosUnder } from './files.js';
import { openGallery, type FaceMeta } from './gallery.js';
import { facesInFile, mainFace, MODEL_CHOICE_USAGE, MODEL_OPTIONS, modelChoice, modelKey, modelName, openAnalyzer } from './models.js';
import { enrollThroughQueue, queueEnrolArgs, QUEUE_OPTIONS, QUEUE_USAGE, type IdentityPhotos } from './enroll-queue.js';
import { CliError, UsageError } from './output.js';

const USAGE = `Usage: facecore enroll <dir> --index <gallery.fci> [options]
       facecore enroll <dir> --queue redis://... --api-key <key> [--wait] [options]

Enrols a folder per identity: <dir>/<identity>/*.jpg|png|webp... Each photo's main face (the
one nearest the centre among the large ones) is embedded and added to the index file (created
if absent; every add is on disk before the next). Unreadable photos and photos without a face
are skipped with a warning each and counted; photos already enrolled are left as they are.

With --queue, each photo becomes a job on Redis for 'facecore worker' processes (on any machine)
to embed into the PostgreSQL store; a rerun queues only new photos and retries failed ones.

Options:
  --index <file>               the FaceIndex file (without --queue)
  --storage <f32|f16|i8>       storage of a new index (default f32)
${QUEUE_USAGE}
${MODEL_CHOICE_USAGE}
  --json                       print the summary as JSON
  -h, --help                   show this help`;

/** The photos under <dir>/<identity>/, relative to <dir>; loose photos are warned about and left out. */
async function identityPhotos(dirArg: string, ctx: CliContext): Promise<IdentityPhotos> {
  const dir = path.resolve(ctx.cwd, dirArg);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new CliError(`folder not found: ${dirArg}`);
  if (!info.isDirectory()) throw new CliError(`expected a folder of identity folders, got a file: ${dirArg}`);
  const photos = await photosUnder(dir);
  const loose = photos.filter((p) => !p.includes(path.sep));
  const work = photos.filter((p) => p.includes(path.sep));
  if (work.length === 0) throw new CliError(`no photos in identity folders under ${dirArg} (expected ${dirArg}/<identity>/<photo>)`);
  if (loose.length > 0) ctx.output.warn(`${loose.length} photo(s) directly in ${dirArg} ignored: put them in a folder named after the person`);
  return { dirArg, dir, work };
}

interface Skipped {
  file: string;
  reason: string;
}

export const enrollCommand: Command = {
  name: 'enroll',
  summary: 'add a folder per identity to a face index',
  usage: USAGE,
  options: { index: { type: 'string' }, storage: { type: 'string' }, model: MODEL_OPTIONS.model!, detector: MODEL_OPTIONS.detector!, ...QUEUE_OPTIONS },
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (args.positionals.length !== 1) throw new UsageError(`expected one <dir>, got ${args.positionals.length} argument(s)`);
    const indexArg = args.values.index as string | undefined;
    const queued = args.values.queue !== undefined;
    if (queued && indexArg) throw new UsageError('--index and --queue: give one (a local index file, or jobs for workers)');
    if (queued) {
      const checked = queueEnrolArgs(args, ctx);
      return enrollThroughQueue(checked, ctx, await identityPhotos(args.positionals[0]!, ctx));
    }
    if (!indexArg) throw new UsageError('missing --index <gallery.fci> (or --queue redis://...)');
    const storage = args.values.storage as string | undefined;
    if (storage !== undefined && !STORAGES.includes(storage as Storage)) throw new UsageError(`--storage: expected ${STORAGES.join(', ')}, got ${JSON.stringify(storage)}`);
    const { dirArg, dir, work } = await identityPhotos(args.positionals[0]!, ctx);

    const analyzer = await openAnalyzer(modelChoice(args.values, (p) => path.resolve(ctx.cwd, p)));
    let index: FaceIndex | undefined;
    try {
      const key = modelKey(analyzer), name = modelName(analyzer);
      index = await openGallery(path.resolve(ctx.cwd, indexArg), indexArg, {
        dim: analyzer.recognizer.dim, model: key, modelName: name, create: true, storage: storage as Storage | undefined, warn: (t) => ctx.output.warn(t),
      });
      const gallery = index;
      const skipped: Skipped[] = [];
      const perIdentity = new Map<string, number>();
      let already = 0, severalFaces = 0;
      const bar = ctx.output.progress('enrolling', work.length);
      const skip = (file: string, reason: string) => {
        skipped.push({ file, reason });
        ctx.output.warn(`skipped: ${reason}`);
      };
      await eachLimited(work, 2, async (rel) => {
        const id = rel.split(path.sep).join('/');
        const identity = id.slice(0, id.indexOf('/'));
        if (gallery.has(id)) {
          already++;
          return;
        }
        let found;
        try {
          found = await facesInFile(analyzer, path.join(dir, rel), path.join(dirArg, rel));
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          return skip(rel, err.message);
        }
        const face = mainFace(found.faces, found.width, found.height);
        if (!face) return skip(rel, `no face found in ${path.join(dirArg, rel)}`);
        if (found.faces.length > 1) severalFaces++;
        const meta: FaceMeta = { file: id, model: key, modelName: name, box: face.box.map((x) => Math.round(x)) };
        await gallery.add([id], face.embedding, { labels: [identity], meta: [meta] });
        perIdentity.set(identity, (perIdentity.get(identity) ?? 0) + 1);
      }, (done) => bar.update(done));
      bar.done();

      const enrolled = [...perIdentity.values()].reduce((a, b) => a + b, 0);
      const labels = new Set([...gallery.entries()].map((e) => e.label));
      if (skipped.length > 0) ctx.output.warn(`${skipped.length} of ${work.length} photos skipped`);
      if (enrolled === 0 && already === 0) throw new CliError(`nothing enrolled: all ${work.length} photos under ${dirArg} were skipped`);
      ctx.output.result({
        index: indexArg, model: name, modelKey: key, dim: gallery.dim, storage: gallery.storage,
        photos: work.length, enrolled, alreadyEnrolled: already, skipped, photosWithSeveralFaces: severalFaces,
        enrolledPerIdentity: Object.fromEntries(perIdentity), indexFaces: gallery.size, indexIdentities: labels.size,
      });
      ctx.output.line(`enrolled ${enrolled} face(s) of ${perIdentity.size} identit${perIdentity.size === 1 ? 'y' : 'ies'} into ${indexArg} with ${name}` +
        ` (${skipped.length} skipped, ${already} already enrolled; several faces in ${severalFaces}: used the main one)`);
      ctx.output.line(`${indexArg}: ${gallery.size} face(s) of ${labels.size} identit${labels.size === 1 ? 'y' : 'ies'}, ${gallery.dim}-d ${gallery.storage}`);
      return 0;
    } finally {
      await index?.close();
      await analyzer.dispose();
    }
  },
};
