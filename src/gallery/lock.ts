// One writer per index: a lock file `<file>.lock` holding "<pid> <token>" of its owner.
//
// Every write is atomic, so nobody ever reads a half-written lock: a lock is written to a
// temporary file first, then put in place with link() (fails if a lock exists: taking a free
// lock) or rename() (replaces: taking over a stale one). A lock whose owner no longer exists
// (killed) is stale. Taking it over needs a guard file named after the stale lock's token,
// created exclusively: of the processes that saw the same stale lock, exactly one creates the
// guard, checks that the lock still holds that token, and replaces it. The guard is removed
// only after the replacement, so a late process that creates it again finds another token and
// backs off. A guard left by a taker that died is itself stale and taken over the same way.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { IndexLockedError } from './errors.js';

const heldHere = new Set<string>();

interface Owner {
  pid: number;
  /** The whole content: what a takeover checks is still there before replacing it. */
  raw: string;
  /** Names the takeover guard ('legacy' for locks written without a token). */
  token: string;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner recorded in `file`, or null if there is no such file. */
function readOwner(file: string): Owner | null {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const m = /^(\d+)(?: ([0-9a-f]{1,64}))?\n?$/.exec(raw);
  return { pid: m ? Number(m[1]) : NaN, raw, token: m?.[2] ?? 'legacy' };
}

/** `content` in a fresh temporary file beside `file` (its name unique to this call). */
function writeTemp(file: string, content: string): string {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  fs.writeFileSync(tmp, content, { flag: 'wx' });
  return tmp;
}

/** Creates `file` holding `content` in one step; false if it already exists. */
function createExclusive(file: string, content: string): boolean {
  const tmp = writeTemp(file, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Replaces `file`, last seen holding the dead owner `stale`, with `content`. False when another
 * process is taking it over or already has (the caller looks again).
 */
function replaceStale(file: string, stale: Owner, content: string, depth = 0): boolean {
  if (depth > 8) return false;
  const guard = `${file}.takeover-${stale.token}`;
  if (!createExclusive(guard, content)) {
    const taker = readOwner(guard);
    if (taker === null || ownedByLive(taker)) return false;
    if (!replaceStale(guard, taker, content, depth + 1)) return false;  // its taker died: take the guard over
  }
  try {
    if (readOwner(file)?.raw !== stale.raw) return false;  // released or taken over meanwhile
    fs.renameSync(writeTemp(file, content), file);
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/** Takes the lock for `file`; throws IndexLockedError if a live process (or this one) holds it. */
export function acquireLock(file: string): () => void {
  const lockFile = `${file}.lock`;
  if (heldHere.has(lockFile)) throw new IndexLockedError(file, process.pid, lockFile);
  if (fs.statSync(lockFile, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${lockFile}: expected a lock file, got a directory`);
  }
  const mine = `${process.pid} ${crypto.randomBytes(8).toString('hex')}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    let owner: Owner | null = null;
    if (createExclusive(lockFile, mine) || ((owner = readOwner(lockFile)) !== null && !ownedByLive(owner) && replaceStale(lockFile, owner, mine))) {
      heldHere.add(lockFile);
      return () => {
        heldHere.delete(lockFile);
        if (readOwner(lockFile)?.raw === mine) fs.rmSync(lockFile, { force: true });
      };
    }
    if (owner !== null && ownedByLive(owner)) throw new IndexLockedError(file, owner.pid, lockFile);
    // Released, or another process is taking the stale lock over: look again shortly.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1 + attempt);
  }
  throw new IndexLockedError(file, -1, lockFile);
}

/**
 * This process never leaves its own lock or guard behind (the set above and the finally), so
 * a file with its pid was left by an earlier process that had the same pid: a container's
 * node restarted as pid 1, say. (Worker threads share the pid: one writer per process.)
 */
function ownedByLive(owner: Owner): boolean {
  return owner.pid !== process.pid && alive(owner.pid);
}
