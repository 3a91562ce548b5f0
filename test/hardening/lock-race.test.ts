// Issue #13.10: taking over a stale lock must let exactly one of many racing processes in.
// 16 processes each take the lock over and over and leave it stale (as if killed) every time.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/gallery/lock.js';
import { IndexLockedError } from '../../src/gallery/errors.js';
import { tempDir } from '../gallery/tmpdir.js';
import { childScript } from './child.js';

/** A pid that no longer runs: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`racer exited with ${code ?? signal}: ${err}`))));
  });
}

describe('index lock', () => {
  it('lets exactly one of 16 racing processes take over a stale lock at a time', async () => {
    const file = path.join(tempDir(), 'race.fidx');
    const dead = deadPid();
    fs.writeFileSync(`${file}.lock`, `${dead} 0123456789abcdef\n`);
    const script = childScript('lock-racer');
    const startAt = String(Date.now() + 1500);
    const outs = await Promise.all(Array.from({ length: 16 }, () => run(script, [file, String(dead), '25', startAt])));
    const counts = outs.map((o) => JSON.parse(o) as { acquired: number; overlaps: number; refused: number });
    const total = counts.reduce((s, c) => s + c.acquired, 0);
    expect(counts.reduce((s, c) => s + c.overlaps, 0)).toBe(0);
    expect(total).toBeGreaterThan(50);
    // Nothing left behind but the (stale) lock itself.
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f !== 'race.fidx.lock')).toEqual([]);
  }, 60_000);

  it('refuses a live owner, takes over a dead one, and a lock of its own pid from an earlier run', () => {
    const file = path.join(tempDir(), 'one.fidx');
    fs.writeFileSync(`${file}.lock`, `${process.ppid} abc\n`);
    expect(() => acquireLock(file)).toThrow(IndexLockedError);
    for (const stale of [`${deadPid()} abc\n`, `${process.pid}\n`, '']) {
      fs.writeFileSync(`${file}.lock`, stale);
      const release = acquireLock(file);
      expect(fs.readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\\n$`));
      expect(() => acquireLock(file)).toThrow(IndexLockedError);
      release();
      expect(fs.existsSync(`${file}.lock`)).toBe(false);
    }
  });

  it('takes over a guard left by a taker that died mid-takeover', () => {
    const file = path.join(tempDir(), 'guard.fidx');
    fs.writeFileSync(`${file}.lock`, `${deadPid()} aaaa\n`);
    fs.writeFileSync(`${file}.lock.takeover-aaaa`, `${deadPid()} bbbb\n`);
    const release = acquireLock(file);
    release();
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);
  });

  it('names the lock file when it is a directory', () => {
    const file = path.join(tempDir(), 'dir.fidx');
    fs.mkdirSync(`${file}.lock`);
    expect(() => acquireLock(file)).toThrow(`${file}.lock: expected a lock file, got a directory`);
  });
});
