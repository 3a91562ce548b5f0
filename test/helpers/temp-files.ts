// Paths in fresh temporary folders, each removed after every test of the file that asks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** Returns `make(name)`: `name` inside a new folder `<tmp>/<prefix>-XXXX`, gone after each test. */
export function tempFiles(prefix: string): (name: string) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    dirs.push(dir);
    return path.join(dir, name);
  };
}
