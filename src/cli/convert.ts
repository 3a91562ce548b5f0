// `facecore convert`: a TensorFlow.js graph model (model.json + shards) to an ONNX file.

import path from 'node:path';
import { writeFileAtomic } from '../models/convert/cache.js';
import { convertTfjsGraph, type ConvertOptions } from '../models/convert/convert.js';
import type { CliContext, Command, ParsedArgs } from './command.js';
import { CliError, UsageError } from './output.js';

const USAGE = `Usage: facecore convert <model.json> <out.onnx> [options]

Converts a TensorFlow.js graph model (model.json and its weight shards) to ONNX (opset 13),
for onnxruntime. The output is written to a temporary file and renamed, so it is whole or absent.

Options:
  --input-layout <nhwc|nchw>  layout of 4-D image inputs in the ONNX model (default nhwc, as in tfjs)
  --dynamic-batch             make a batch dimension fixed at 1 in the source dynamic
  --json                      print the result as JSON
  -h, --help                  show this help`;

export interface RunConvertOptions extends Pick<ConvertOptions, 'inputLayout' | 'dynamicBatch'> {
  input: string;
  output: string;
}

export interface ConvertResult {
  input: string;
  output: string;
  bytes: number;
  ms: number;
}

/** Converts one model file to one ONNX file. */
export async function runConvert(options: RunConvertOptions): Promise<ConvertResult> {
  const start = performance.now();
  const bytes = await convertTfjsGraph(options.input, { inputLayout: options.inputLayout, dynamicBatch: options.dynamicBatch });
  try {
    await writeFileAtomic(options.output, bytes);
  } catch (err) {
    throw new CliError(`cannot write ${options.output} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { input: options.input, output: options.output, bytes: bytes.byteLength, ms: performance.now() - start };
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a TensorFlow.js graph model to ONNX',
  usage: USAGE,
  options: {
    'input-layout': { type: 'string' },
    'dynamic-batch': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (args.positionals.length !== 2) throw new UsageError(`expected <model.json> <out.onnx>, got ${args.positionals.length} argument(s)`);
    const layout = args.values['input-layout'];
    if (layout !== undefined && layout !== 'nhwc' && layout !== 'nchw') throw new UsageError(`--input-layout: expected nhwc or nchw, got ${JSON.stringify(layout)}`);
    const [input, output] = args.positionals.map((p) => path.resolve(ctx.cwd, p));
    const result = await runConvert({ input, output, inputLayout: layout, dynamicBatch: args.values['dynamic-batch'] === true });
    ctx.output.line(`${args.positionals[1]}: ${result.bytes} bytes, converted in ${result.ms.toFixed(0)} ms`);
    ctx.output.result(result);
    return 0;
  },
};
