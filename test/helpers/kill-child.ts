// kill -9 tests: runs a writer script in a child process and SIGKILLs it `delayMs` after it
// prints 'ready'; resolves with the lines it printed (what it acknowledged before dying).
import { spawn } from 'node:child_process';

export function runAndKill(script: string, args: string[], delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => {
      if (!out.includes('ready') && (out + d).includes('ready')) setTimeout(() => child.kill('SIGKILL'), delayMs);
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    // Reopen only after 'exit': until the parent reaps it, the killed child still holds its pid.
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.length > 0));
    });
  });
}
