// `facecore serve` usage errors, and where API keys come from (flags, env, file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ApiKeys, gatherApiKeys } from '../../src/server/auth.js';
import { collectionStem } from '../../src/server/collections.js';
import { capture } from '../cli/capture.js';

describe('facecore serve options', () => {
  it('needs --data and a key', async () => {
    const a = capture();
    expect(await main(['serve', '--api-key', 'abcdefgh12'], a)).toBe(2);
    expect(a.err().split('\n')[0] + '\n').toBe('facecore serve: missing --data <dir>\n');
    const b = capture();
    const env = process.env.FACECORE_API_KEYS;
    delete process.env.FACECORE_API_KEYS;
    try {
      expect(await main(['serve', '--data', os.tmpdir()], b)).toBe(2);
    } finally {
      if (env !== undefined) process.env.FACECORE_API_KEYS = env;
    }
    expect(b.err().split('\n')[0] + '\n').toBe('facecore serve: expected an API key: --api-key <key>, --api-key-file <file> or FACECORE_API_KEYS\n');
    const c = capture();
    expect(await main(['serve', '--data', os.tmpdir(), '--api-key', 'abcdefgh12', '--port', '70000'], c)).toBe(2);
    expect(c.err().split('\n')[0] + '\n').toBe('facecore serve: --port: expected an integer in [0, 65535], got "70000"\n');
    const d = capture();
    expect(await main(['serve', '--data', os.tmpdir(), '--api-key', 'abcdefgh12', '--inference-timeout', '1.5'], d)).toBe(2);
    expect(d.err().split('\n')[0] + '\n').toBe('facecore serve: --inference-timeout: expected an integer in [0, 3600000], got "1.5"\n');
  });

  it('gathers keys from flags, FACECORE_API_KEYS and a key file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-keys-')), 'keys');
    fs.writeFileSync(file, '# comment\nfile-key-1234\n\n  file-key-5678  \n');
    expect(gatherApiKeys(['flag-key-1234'], 'env-key-1234, env-key-5678,', file)).toEqual(['flag-key-1234', 'env-key-1234', 'env-key-5678', 'file-key-1234', 'file-key-5678']);
  });

  it('checks keys: 401 for none or a wrong one, RangeError for short or no keys', () => {
    const keys = new ApiKeys(['abcdefgh12', 'abcdefgh12', 'zyxwvuts98']);
    expect(keys.size).toBe(2);
    expect(keys.check('zyxwvuts98')).toBe('zyxwvuts98');
    expect(() => keys.check(undefined)).toThrow('Missing header: x-api-key');
    expect(() => keys.check('abcdefgh1')).toThrow('Invalid API key');
    expect(() => new ApiKeys([])).toThrow(RangeError);
    expect(() => new ApiKeys(['short'])).toThrow('apiKeys: expected keys of at least 8 characters, got one of 5');
  });

  it('names collection files by a hash of the key, never the key', () => {
    const stem = collectionStem('../../etc/passwd');
    expect(stem).toMatch(/^[0-9a-f]{24}$/);
    expect(collectionStem('../../etc/passwd')).toBe(stem);
    expect(collectionStem('another-key-1')).not.toBe(stem);
  });
});

describe('resolveLimits', () => {
  it('fills defaults and names a bad limit', async () => {
    const { resolveLimits, DEFAULT_LIMITS } = await import('../../src/server/limits.js');
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ queued: 0 }).queued).toBe(0);
    expect(resolveLimits({ inferenceTimeoutMs: 0 }).inferenceTimeoutMs).toBe(0);
    expect(() => resolveLimits({ inferenceTimeoutMs: -1 })).toThrow(/options\.limits\.inferenceTimeoutMs/);
    expect(() => resolveLimits({ concurrency: 0 })).toThrow(/options\.limits\.concurrency/);
    expect(() => resolveLimits({ bodyBytes: 1.5 } as never)).toThrow(/options\.limits\.bodyBytes/);
    expect(() => resolveLimits({ speed: 1 } as never)).toThrow("options.limits: expected keys bodyBytes, imagePixels, jsonDepth, facesPerImage, embeddingsPerRequest, concurrency, queued, requestTimeoutMs, inferenceTimeoutMs, got 'speed'");
  });
});
