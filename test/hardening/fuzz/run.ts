// Runs fuzz calls in child processes, two at a time, so that a crash is counted (and pinned to
// its call) rather than fatal: the worker restarts after the call that crashed it.
import { spawn } from 'node:child_process';
import { childScript } from '../child.js';

export interface FuzzReport {
  seed: number;
  calls: number;
  failures: string[];
  crashes: string[];
  seconds: number;
}

/** Runs calls [from, to); resolves with what failed and what crashed. */
function runRange(seed: number, from: number, to: number, report: FuzzReport): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript('../fuzz/worker'), String(seed), String(from), String(to)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '', last = from - 1, done = false, err = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('>')) last = Number(line.slice(1));
        else if (line.startsWith('!')) report.failures.push(JSON.parse(line.slice(1)) as string);
        else if (line === 'done') done = true;
      }
    });
    child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (done && code === 0) return resolve();
      report.crashes.push(`call ${last} (seed ${seed}): worker died (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' | ')}`);
      // Go on after the call that killed it.
      (last + 1 < to ? runRange(seed, last + 1, to, report) : Promise.resolve()).then(resolve, reject);
    });
  });
}

export async function fuzz(seed: number, calls: number, workers = 2): Promise<FuzzReport> {
  const report: FuzzReport = { seed, calls, failures: [], crashes: [], seconds: 0 };
  const start = performance.now();
  const chunk = Math.min(5000, Math.ceil(calls / workers));
  let next = 0;
  const lane = async () => {
    while (next < calls) {
      const from = next;
      next = Math.min(calls, next + chunk);
      await runRange(seed, from, next, report);
    }
  };
  await Promise.all(Array.from({ length: workers }, lane));
  report.seconds = (performance.now() - start) / 1000;
  return report;
}
