// `facecore serve --store … --shard i/n`: usage errors name the option and what came.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../cli/capture.js';

async function firstError(args: string[]): Promise<string> {
  const out = capture();
  expect(await main(['serve', '--api-key', 'abcdefgh12', ...args], out)).toBe(2);
  return out.err().split('\n')[0]!;
}

describe('facecore serve --store / --shard', () => {
  it('refuses --shard without --store, --data with --store, a non-postgres URL, a bad slice', async () => {
    expect(await firstError(['--data', '/tmp', '--shard', '0/2'])).toBe('facecore serve: --shard: only with --store <url>');
    expect(await firstError(['--data', '/tmp', '--store', 'postgres://h/db'])).toBe('facecore serve: --data and --store: give one (files or PostgreSQL)');
    expect(await firstError(['--store', 'mysql://h/db'])).toBe('facecore serve: --store: expected a postgres://… URL, got "mysql://h/db"');
    expect(await firstError(['--store', 'postgres://h/db', '--shard', '2/2'])).toBe('facecore serve: --shard.index: expected an integer in [0, 1], got 2');
    expect(await firstError(['--store', 'postgres://h/db', '--shard', 'half'])).toBe('facecore serve: --shard: expected \'index/count\' such as 0/2, got "half"');
    expect(await firstError(['--api-key', 'abcdefgh34'])).toBe('facecore serve: missing --data <dir>');
  });
});
