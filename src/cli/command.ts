// The shape of a subcommand: its options (node:util parseArgs) and what it runs.

import type { ParseArgsConfig } from 'node:util';
import type { EmbedFn } from '../eval/score-pairs.js';
import type { Output } from './output.js';
import type { PipelineEmbedderOptions } from './pipeline-embedder.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** An embedder the CLI can use; the face pipeline provides one (decode -> detect -> align -> embed). */
export interface Embedder {
  /** Model name for reports. */
  name: string;
  embed: EmbedFn;
  /** The on-disk embedding cache, when the embedder keeps one (counts for the report). */
  cache?: { dir: string; hits: number; misses: number };
  close?(): Promise<void>;
}

/** What main() hands every command; tests and the pipeline supply the pieces. */
export interface CliContext {
  output: Output;
  /** Builds the embedder for --model/--detector (the face pipeline unless a test supplies another). */
  createEmbedder: (options: PipelineEmbedderOptions) => Promise<Embedder>;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `facecore --help`. */
  summary: string;
  /** Full help text for `facecore <name> --help`. */
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  /** Returns the exit code (0 when omitted). Throws UsageError / CliError for one-line failures. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number | void>;
}
