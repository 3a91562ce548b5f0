// `facecore bench`: runs the repository's benchmark suites (bench/run.js) in a child process.
// The benches live in a git checkout, not in the npm package, so an installed facecore says so.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { CliError } from './output.js';

const USAGE = `Usage: facecore bench [-- <bench/run.js arguments>]

Runs bench/run.js of a facecore checkout (tinybench suites, peers side by side) with the same
Node; its output goes straight to the terminal and its exit code is the command's.
Arguments after -- are passed on.

Options:
  -h, --help   show this help`;

/** bench/run.js of the package this CLI belongs to. */
export const benchScript = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suites (from a git checkout)',
  usage: USAGE,
  options: {},
  allowPositionals: true,
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    if (!existsSync(benchScript)) {
      throw new CliError(`no benchmarks here: ${benchScript} is absent (they are in the git checkout, not the npm package)`);
    }
    if (ctx.output.json) throw new CliError('--json is not supported: the suites print their own tables');
    const child = spawn(process.execPath, [benchScript, ...args.positionals], { cwd: ctx.cwd, stdio: 'inherit' });
    return new Promise<number>((resolve, reject) => {
      child.on('error', (err) => reject(new CliError(`cannot start ${benchScript}: ${err.message}`)));
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  },
};
