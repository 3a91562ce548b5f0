import { describe, expect, it } from 'vitest';
import { importOptional } from '../../src/optional/import-optional.js';

describe('importOptional', () => {
  it('imports an installed package', async () => {
    const pg = await importOptional<{ default: { Pool: unknown } }>('pg', 'the PostgreSQL store');
    expect(typeof pg.default.Pool).toBe('function');
  });

  it('names the package and what needs it when it is not installed', async () => {
    await expect(importOptional('facecore-no-such-package', 'the test feature')).rejects.toThrow(
      /the test feature: needs the optional package facecore-no-such-package, which is not installed \(npm install facecore-no-such-package\)/,
    );
  });
});
