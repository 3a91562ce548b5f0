// Runs a fixture of test/hardening in a child process so that a crash (SIGSEGV, abort) is a
// failed expectation rather than the end of the test run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildForChild } from '../helpers/child-build.js';

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let root = '';

/** A script of test/hardening/fixtures (or '../fuzz/worker') as JavaScript; built once per process, removed at exit. */
export function childScript(name: string): string {
  if (!root) {
    root = buildForChild('test/hardening/fixtures', 'test/hardening/fuzz', 'test/helpers');
    process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  }
  return path.join(root, 'test/hardening/fixtures', `${name}.js`);
}

export function runChild(name: string, args: string[], options: { nodeArgs?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): ChildResult {
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), childScript(name), ...args], {
    encoding: 'utf8', env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
