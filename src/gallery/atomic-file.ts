// Whole-file replacement that survives a crash at any point: write a temporary file, fsync
// it, rename it over the target, fsync the directory (so the rename itself is durable).
import fs from 'node:fs/promises';
import path from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(file: string, chunks: Uint8Array[], durable: boolean): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, 'w');
  try {
    // Large buffers go in pieces: one write call is capped at 2 GiB.
    for (const chunk of chunks) {
      for (let off = 0; off < chunk.length; off += 1 << 30) {
        const part = chunk.subarray(off, Math.min(chunk.length, off + (1 << 30)));
        let done = 0;
        while (done < part.length) done += (await handle.write(part, done, part.length - done)).bytesWritten;
      }
    }
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  if (durable) await fsyncDir(path.dirname(file));
}

/** Reads a whole file into one Buffer (in 1 GiB reads: readFile stops at 2 GiB). */
export async function readWholeFile(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(buf, done, Math.min(size - done, 1 << 30), done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    await handle.close();
  }
}
