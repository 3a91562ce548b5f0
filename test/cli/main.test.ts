import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from './capture.js';

describe('facecore main', () => {
  it('lists the commands on --help and exits 2 without a command', async () => {
    const c = capture();
    expect(await main(['--help'], c)).toBe(0);
    expect(c.out()).toContain('eval');
    const none = capture();
    expect(await main([], none)).toBe(2);
    expect(none.err()).toContain('Usage: facecore <command>');
  });

  it('prints the version from package.json', async () => {
    const c = capture();
    expect(await main(['--version'], c)).toBe(0);
    expect(c.out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('shows a command\'s help', async () => {
    const c = capture();
    expect(await main(['eval', '--help'], c)).toBe(0);
    expect(c.out()).toContain('Usage: facecore eval --pairs');
    const h = capture();
    expect(await main(['help', 'eval'], h)).toBe(0);
    expect(h.out()).toBe(c.out());
  });

  it('reports unknown commands and options in one line with exit code 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c)).toBe(2);
    expect(c.err().split('\n')[0]).toBe('facecore: unknown command "frobnicate" (commands: verify, enroll, identify, eval, convert, bench, cluster, serve, worker)');
    const o = capture();
    expect(await main(['eval', '--bogus'], o)).toBe(2);
    expect(o.err().split('\n')[0]).toMatch(/^facecore eval: Unknown option '--bogus'/);
  });
});
