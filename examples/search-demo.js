// Searches a synthetic gallery of face-like embeddings (unit vectors clustered by identity)
// and prints a timing table: what facecore's exact search costs at a few gallery sizes.
import { getIsa, topK, topKAsync, defaultThreads } from '../dist/index.js';

const dim = 512, k = 10;

function clusteredGallery(identities, perIdentity, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const out = new Float32Array(identities * perIdentity * dim);
  const centre = new Float32Array(dim);
  for (let id = 0; id < identities; id++) {
    for (let c = 0; c < dim; c++) centre[c] = rand();
    for (let f = 0; f < perIdentity; f++) {
      const row = out.subarray((id * perIdentity + f) * dim, (id * perIdentity + f + 1) * dim);
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += (row[c] = centre[c] + 0.6 * rand()) ** 2;
      for (let c = 0; c < dim; c++) row[c] /= Math.sqrt(norm);
    }
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log(`facecore exact search demo — ISA ${getIsa()}, ${defaultThreads()} threads, d = ${dim}, k = ${k}\n`);
const rows = [];
for (const n of [10_000, 100_000]) {
  const gallery = clusteredGallery(n / 10, 10, n);
  for (const q of [1, 100]) {
    // Queries: noisy copies of gallery faces; the right identity should come back first.
    const queries = gallery.slice(0, q * dim);
    topK(queries, gallery, dim, k); // warm up (page faults, caches)
    const times = [];
    let result;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      result = await topKAsync(queries, gallery, dim, k);
      times.push(performance.now() - t0);
    }
    const selfHits = Array.from({ length: q }, (_, i) => result.indices[i * result.k] === i).filter(Boolean).length;
    rows.push({ gallery: n, queries: q, 'ms / batch': median(times).toFixed(2), 'top-1 = itself': `${selfHits}/${q}` });
  }
}
console.table(rows);
