// hnswlib-node's BruteforceSearch as a peer. Its addPoint takes a number[] and reads it element by
// element through N-API (~100 µs a point here: minutes for 1M points), so the bench times addPoint
// on a sample to report the build cost, and loads the full index from a file written in hnswlib's
// own BruteforceSearch format (bruteforce.h saveIndex: three size_t, then per point the floats and
// a size_t label). Searches are the same either way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hnswlib from 'hnswlib-node';

const LABEL_BYTES = 8;

/** Milliseconds per point of addPoint(number[]), timed on the first `sample` rows. */
export function addPointMsPerPoint(gallery, dim, sample) {
  const index = new hnswlib.BruteforceSearch('ip', dim);
  const n = Math.min(sample, gallery.length / dim);
  index.initIndex(n);
  const row = new Array(dim);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = gallery[i * dim + j];
    index.addPoint(row, i);
  }
  return (performance.now() - t0) / n;
}

/** A BruteforceSearch ('ip') holding every gallery row, label = row index. */
export function loadBruteforceIndex(gallery, dim) {
  const n = gallery.length / dim;
  const rowBytes = dim * 4 + LABEL_BYTES;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-bench-')), 'bruteforce.bin');
  const fd = fs.openSync(file, 'w');
  try {
    const header = new BigUint64Array([BigInt(n), BigInt(rowBytes), BigInt(n)]);
    fs.writeSync(fd, new Uint8Array(header.buffer));
    const chunkRows = 8192;
    const chunk = Buffer.alloc(chunkRows * rowBytes);
    const bytes = new Uint8Array(gallery.buffer, gallery.byteOffset, gallery.byteLength);
    for (let r0 = 0; r0 < n; r0 += chunkRows) {
      const rows = Math.min(chunkRows, n - r0);
      for (let r = 0; r < rows; r++) {
        chunk.set(bytes.subarray((r0 + r) * dim * 4, (r0 + r + 1) * dim * 4), r * rowBytes);
        chunk.writeBigUInt64LE(BigInt(r0 + r), r * rowBytes + dim * 4);
      }
      fs.writeSync(fd, chunk, 0, rows * rowBytes);
    }
  } finally {
    fs.closeSync(fd);
  }
  try {
    const index = new hnswlib.BruteforceSearch('ip', dim);
    index.readIndexSync(file);
    if (index.getCurrentCount() !== n) throw new Error(`hnswlib index: expected ${n} points, loaded ${index.getCurrentCount()}`);
    return index;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
