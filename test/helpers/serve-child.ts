// `facecore serve` in a child process (the tree from buildForChild): resolves once pino logs
// the listening address; rejects with the output if it exits first.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServeChild {
  child: ChildProcess;
  url: string;
  log: () => string;
}

export function serveChild(tree: string, args: string[], env: Record<string, string>): Promise<ServeChild> {
  const child = spawn(process.execPath, [path.join(tree, 'src/cli/main.js'), 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, log: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** Resolves when `check` holds (polled every 5 ms) with the milliseconds it took; rejects after `ms`. */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}
