// `facecore worker` as a child process (the type-stripped tree of test/helpers/child-build.ts),
// with its output as lines and a way to wait for a line: kill -9 and SIGTERM tests drive it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerChild {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr), one entry per line. */
  lines: string[];
  /** Resolves with the first line (printed so far or later) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorker(tree: string, args: string[]): WorkerChild {
  const child = spawn(process.execPath, [path.join(tree, 'src/cli/main.js'), 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  const take = (d: Buffer) => {
    const text = partial + d.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find((l) => pattern.test(l));
          if (hit === undefined) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; the worker printed:\n${lines.join('\n')}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        exited.then(() => setTimeout(() => {
          if (!waiters.has(check)) return;
          done();
          reject(new Error(`the worker exited before printing ${pattern}:\n${lines.join('\n')}`));
        }, 50));
        check();
      });
    },
  };
}
