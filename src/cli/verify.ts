// `facecore verify <a> <b>`: are two photos the same person? The cosine of their main faces'
// embeddings against the recogniser's calibrated threshold (FAR = 1e-3 on the shared pairs).

import path from 'node:path';
import type { Command, CliContext, ParsedArgs } from './command.js';
import {
  assertFiles, decisionThreshold, facesInFile, mainFace, MODEL_OPTIONS, MODEL_USAGE, modelChoice, modelName, openAnalyzer, round4, thresholdOption,
} from './models.js';
import { CliError, UsageError } from './output.js';

const USAGE = `Usage: facecore verify <photo-a> <photo-b> [options]

Embeds the main face of each photo (the one nearest the centre among the large ones; the
same rule as FaceAnalyzer.verify) and compares them: prints the cosine score and the decision at the recogniser's calibrated
threshold. The exit code is 0 for either decision; errors (missing file, unreadable image,
no face) exit 1.

Options:
${MODEL_USAGE}
  --json                       print the result as JSON
  -h, --help                   show this help`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'same person or not: score and decision for two photos',
  usage: USAGE,
  options: { ...MODEL_OPTIONS },
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (args.positionals.length !== 2) throw new UsageError(`expected <photo-a> <photo-b>, got ${args.positionals.length} argument(s)`);
    const threshold = thresholdOption(args.values);
    const [a, b] = args.positionals as [string, string];
    await assertFiles(ctx.cwd, [a, b]);
    const analyzer = await openAnalyzer(modelChoice(args.values, (p) => path.resolve(ctx.cwd, p)));
    try {
      const t = decisionThreshold(analyzer, threshold);
      const sides = await Promise.all([a, b].map(async (label) => {
        const found = await facesInFile(analyzer, path.resolve(ctx.cwd, label), label);
        const face = mainFace(found.faces, found.width, found.height);
        if (!face) throw new CliError(`no face found in ${label}`);
        return { file: label, faces: found.faces.length, face };
      }));
      const result = await analyzer.verify(sides[0]!.face.embedding, sides[1]!.face.embedding, { threshold: t });
      const describeSide = (s: (typeof sides)[number]) => ({
        file: s.file, facesFound: s.faces, box: s.face.box.map((x) => Math.round(x)), detectionScore: round4(s.face.score),
      });
      ctx.output.result({
        a: describeSide(sides[0]!), b: describeSide(sides[1]!),
        score: round4(result.score), threshold: result.threshold, same: result.same, model: modelName(analyzer),
      });
      ctx.output.line(`${a} vs ${b}: score ${result.score.toFixed(4)} ${result.same ? '>=' : '<'} threshold ${result.threshold} -> ${result.same ? 'same person' : 'different people'}`);
      return 0;
    } finally {
      await analyzer.dispose();
    }
  },
};
