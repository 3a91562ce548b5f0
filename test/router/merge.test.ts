// The router's merge against the brute-force answer over every face: for many shard counts,
// k, list sizes (empty, n < k) and heavy ties, each shard's own exact top-k merged equals the
// global top-k (faces: score desc, seq asc; subjects: best face, then name).
import { describe, expect, it } from 'vitest';
import { mergeFaceHits, mergeLabelHits } from '../../src/store/router/merge.js';
import type { WireFaceHit, WireLabelHit } from '../../src/store/router/wire.js';
import { rng } from '../helpers/random.js';

const faceOrder = (a: WireFaceHit, b: WireFaceHit) => b.score - a.score || a.seq! - b.seq!;
const labelOrder = (a: WireLabelHit, b: WireLabelHit) => b.score - a.score || (a.subject < b.subject ? -1 : 1);

/** Each subject's best face, best first. */
function bestPerSubject(faces: WireFaceHit[]): WireLabelHit[] {
  const best = new Map<string, number>();
  for (const f of faces) best.set(f.subject, Math.max(best.get(f.subject) ?? -Infinity, f.score));
  return [...best].map(([subject, score]) => ({ subject, score })).sort(labelOrder);
}

describe('router merge', () => {
  it('equals the top-k over every face, ties included', () => {
    const r = rng(16);
    let cases = 0;
    for (const shards of [1, 2, 3, 5]) {
      for (const k of [1, 2, 3, 7, 20]) {
        for (const distinct of [2, 5, 1000]) {
          // Faces with seq 0..n-1 dealt to shards at random; scores from a few values (ties) or many.
          const n = Math.floor(r() * 40);
          const all: WireFaceHit[] = Array.from({ length: n }, (_, seq) => ({
            id: `f${seq}`, subject: `s${Math.floor(r() * 6)}`, score: Math.floor(r() * distinct) / distinct, seq,
          }));
          const slices: WireFaceHit[][] = Array.from({ length: shards }, () => []);
          for (const f of all) slices[Math.floor(r() * shards)]!.push(f);

          const faces = mergeFaceHits(slices.map((s) => [...s].sort(faceOrder).slice(0, k)), k);
          expect(faces).toEqual([...all].sort(faceOrder).slice(0, k));
          const labels = mergeLabelHits(slices.map((s) => bestPerSubject(s).slice(0, k)), k);
          expect(labels).toEqual(bestPerSubject(all).slice(0, k));
          cases++;
        }
      }
    }
    expect(cases).toBe(60);
  });

  it('answers nothing for no shards or empty lists, and keeps shard order for full ties without seq', () => {
    expect(mergeFaceHits([], 3)).toEqual([]);
    expect(mergeFaceHits([[], []], 3)).toEqual([]);
    expect(mergeLabelHits([[], []], 3)).toEqual([]);
    const a = { id: 'a', subject: 'x', score: 0.5, seq: null };
    const b = { id: 'b', subject: 'y', score: 0.5, seq: null };
    const c = { id: 'c', subject: 'y', score: 0.5, seq: 9 };
    expect(mergeFaceHits([[a], [b, c]], 3).map((h) => h.id)).toEqual(['c', 'a', 'b']);
  });
});
