// Long-running services (`facecore serve`, `facecore worker`) collect garbage without V8's
// incremental marking. Every photo leaves tens of MB of buffers outside the JS heap (decoded
// pixels, canvases, model outputs); once a process holds a server's code (a 12-16 MB heap),
// V8 answers that with incremental mark-compacts, about one every two photos. Without
// incremental marking the young-generation scavenges reclaim those buffers and full
// collections come only at the heap's limits: measured 95 -> 10 mark-compacts over 180
// requests and 78 -> 68 server CPU ms a photo (bench/RESULTS.md#server). The cost is that a
// full collection, when one comes, is one pause (~10-25 ms at these heap sizes) instead of
// slices. `node --incremental-marking <facecore's main.js> …` keeps V8's default.
import v8 from 'node:v8';

/** Turns incremental marking off unless the process was started with a marking flag; returns whether it did. */
export function preferThroughputGc(): boolean {
  if (process.execArgv.some((a) => /^--(no-)?incremental[-_]marking$/.test(a))) return false;
  v8.setFlagsFromString('--no-incremental-marking');
  return true;
}
