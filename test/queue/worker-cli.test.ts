// `facecore worker` and `enroll --queue` command lines: what is wrong is named before anything
// loads, and an unreachable Redis is one line, not a hang.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIn } from '../cli/capture.js';
import { samplePhoto } from '../cli/photos.js';

describe('facecore worker: usage', () => {
  it('names the missing or malformed option with exit code 2', async () => {
    const dir = os.tmpdir();
    const cases: [string[], RegExp][] = [
      [[], /missing --queue redis:\/\//],
      [['--queue', 'redis://x'], /missing --store postgres:\/\//],
      [['--queue', 'redis://x', '--store', 'mysql://u:secret@h/db'], /--store: expected a postgres:\/\/ URL, got "mysql:\/\/\*\*\*@h\/db"/],
      [['--queue', 'redis://x', '--store', 'postgres://h/db', '--concurrency', '0'], /--concurrency: expected an integer >= 1, got "0"/],
      [['--queue', 'redis://x', '--store', 'postgres://h/db', '--concurrency', '1.5'], /--concurrency: expected an integer >= 1, got "1.5"/],
      [['--queue', 'redis://x', '--store', 'postgres://h/db', '--grace=-1'], /--grace: expected a number > 0, got "-1"/],
      [['--queue', 'redis://x', '--store', 'postgres://h/db', '--lock-timeout', 'soon'], /--lock-timeout: expected a number > 0, got "soon"/],
    ];
    for (const [argv, message] of cases) {
      const r = await runIn(dir, 'worker', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.split('\n')[0]).toMatch(message);
      expect(r.err).not.toContain('secret');
    }
  });

  it('shows its help', async () => {
    const r = await runIn(os.tmpdir(), 'worker', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: facecore worker --queue redis:\/\/\.\.\. --store postgres:\/\/\.\.\./);
    expect(r.out).toMatch(/--lock-timeout <seconds>/);
  });
});

describe('facecore worker: PostgreSQL down', () => {
  it('fails in one line naming the store, without the password', async () => {
    const r = await runIn(os.tmpdir(), 'worker', '--queue', 'redis://127.0.0.1:1', '--store', 'postgres://u:pw@127.0.0.1:1/facecore');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^facecore worker: cannot open the store: .*ECONNREFUSED/);
    expect(r.err).not.toContain('pw');
  });
});

describe('facecore enroll --queue: Redis down', () => {
  it('fails in one line naming the host, without hanging', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-no-redis-'));
    try {
      mkdirSync(path.join(dir, 'ann'));
      copyFileSync(samplePhoto(1), path.join(dir, 'ann', '1.jpg'));
      // Port 1 on loopback: nothing listens there.
      const r = await runIn(dir, 'enroll', '.', '--queue', 'redis://:pw@127.0.0.1:1', '--api-key', 'k');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^facecore enroll: cannot reach Redis at 127\.0\.0\.1:1: /);
      expect(r.err).not.toContain('pw');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
