#!/usr/bin/env node
// The `facecore` command: parses the subcommand's options with node:util parseArgs and
// dispatches to one file per subcommand. Exit codes: 0 ok, 1 failure, 2 bad usage.

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CliContext, Command } from './command.js';
import { evalCommand } from './eval.js';
import { convertCommand } from './convert.js';
import { verifyCommand } from './verify.js';
import { enrollCommand } from './enroll.js';
import { identifyCommand } from './identify.js';
import { benchCommand } from './bench.js';
import { clusterCommand } from './cluster.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';
import { EXIT_OK, EXIT_USAGE, Output, UsageError, type Streams } from './output.js';
import type { PipelineEmbedderOptions } from './pipeline-embedder.js';

/** Registered subcommands (one file each). */
export const COMMANDS: readonly Command[] = [verifyCommand, enrollCommand, identifyCommand, evalCommand, convertCommand, benchCommand, clusterCommand, serveCommand, workerCommand];

// The face pipeline, loaded on first use (so --help does not start onnxruntime).
async function pipelineEmbedder(options: PipelineEmbedderOptions) {
  const { createPipelineEmbedder } = await import('./pipeline-embedder.js');
  return createPipelineEmbedder(options);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: facecore <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help.',
    "Run 'facecore <command> --help' for a command's options.",
  ].join('\n');
}

export interface MainOptions extends Partial<Streams> {
  cwd?: string;
  createEmbedder?: CliContext['createEmbedder'];
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const streams: Streams = { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr };
  const json = argv.includes('--json');
  const output = new Output(streams, { json });
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    // No command at all is a usage error: help goes to stderr and the exit code is 2.
    (name === undefined ? streams.stderr : streams.stdout).write((target ? target.usage : mainUsage()) + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '-v' || name === '--version') {
    streams.stdout.write(version() + '\n');
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return output.fail('', new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`));
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    if (parsed.values.help) {
      streams.stdout.write(command.usage + '\n');
      return EXIT_OK;
    }
    const code = await command.run(parsed as never, {
      output,
      cwd: options.cwd ?? process.cwd(),
      createEmbedder: options.createEmbedder ?? pipelineEmbedder,
    });
    return code ?? EXIT_OK;
  } catch (err) {
    // parseArgs reports unknown or malformed options as a TypeError with an ERR_PARSE_ARGS_* code.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return output.fail(name, new UsageError((err as Error).message));
    if (process.env.FACECORE_DEBUG && err instanceof Error) streams.stderr.write(`${err.stack}\n`);
    return output.fail(name, err);
  }
}

// Run when executed as the bin (not when imported by tests or the library).
function invokedAsBin(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (invokedAsBin()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
