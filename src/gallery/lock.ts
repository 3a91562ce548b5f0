// One writer per index: a lock file created exclusively (O_EXCL) holding the owner's pid.
// A lock left by a process that no longer exists (killed) is stale and taken over.
import fs from 'node:fs';
import { IndexLockedError } from './errors.js';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for `file`; throws IndexLockedError if a live process (or this one) holds it. */
export function acquireLock(file: string): () => void {
  const lockFile = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (heldHere.has(lockFile)) throw new IndexLockedError(file, process.pid, lockFile);
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldHere.add(lockFile);
      return () => {
        heldHere.delete(lockFile);
        fs.rmSync(lockFile, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    } catch {
      // Vanished or half-written: its writer died between create and write, or just released it.
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new IndexLockedError(file, pid, lockFile);
    }
    fs.rmSync(lockFile, { force: true });  // stale: its owner is gone
  }
  throw new IndexLockedError(file, -1, lockFile);
}
