// `facecore convert <model.json> <out.onnx>`: converts a TensorFlow.js graph model to ONNX.
import path from 'node:path';
import { writeFileAtomic } from '../models/convert/cache.js';
import { convertTfjsGraph } from '../models/convert/convert.js';

export const convertUsage = 'usage: facecore convert <model.json> <out.onnx>';

/** Runs the subcommand; returns the process exit code. */
export async function runConvert(args: string[], log: (line: string) => void = console.log): Promise<number> {
  if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
    log(convertUsage);
    return 2;
  }
  const [input, output] = args;
  const start = performance.now();
  const bytes = await convertTfjsGraph(path.resolve(input));
  await writeFileAtomic(path.resolve(output), bytes);
  log(`${output}: ${bytes.byteLength} bytes, converted in ${(performance.now() - start).toFixed(0)} ms`);
  return 0;
}
