import { describe, expect, it } from 'vitest';
import { CliError, Output, UsageError, jsonReplacer } from '../../src/cli/output.js';
import { capture } from './capture.js';

describe('Output', () => {
  it('prints human lines, or only the JSON result under --json', () => {
    const human = capture();
    const o = new Output(human);
    o.line('hello');
    o.result({ a: 1 });
    expect(human.out()).toBe('hello\n');
    const machine = capture();
    const j = new Output(machine, { json: true });
    j.line('hello');
    j.result({ a: 1, t: Infinity, v: Float64Array.from([0.5]) });
    expect(JSON.parse(machine.out())).toEqual({ a: 1, t: 'Infinity', v: [0.5] });
  });

  it('draws a progress bar only on a TTY and not under --json', () => {
    const tty = capture({ tty: true });
    const bar = new Output(tty).progress('embedding', 4);
    bar.update(2);
    bar.done();
    expect(tty.err()).toContain('embedding [');
    expect(tty.err()).toContain('2/4');
    expect(tty.err().endsWith('\r\x1b[K')).toBe(true);
    const pipe = capture({ tty: false });
    new Output(pipe).progress('embedding', 4).update(2);
    expect(pipe.err()).toBe('');
    const json = capture({ tty: true });
    new Output(json, { json: true }).progress('embedding', 4).update(2);
    expect(json.err()).toBe('');
  });

  it('turns errors into one line and an exit code', () => {
    const c = capture();
    const o = new Output(c);
    expect(o.fail('eval', new CliError('pairs file not found: x.csv\nmore detail'))).toBe(1);
    expect(o.fail('eval', new UsageError('missing --pairs'))).toBe(2);
    expect(c.err()).toBe("facecore eval: pairs file not found: x.csv\nfacecore eval: missing --pairs\nRun 'facecore eval --help' for usage.\n");
  });

  it('keeps -Infinity distinct in JSON', () => {
    expect(JSON.stringify({ a: -Infinity }, jsonReplacer)).toBe('{"a":"-Infinity"}');
  });
});
