// The router's exact merge of one query's answers from every shard. Each shard answers its own
// exact top-k, so the global top-k is among them: any face a shard left out has k faces above
// it on that shard alone. Shards x k hits are few, so a stable sort of them all is the merge.
import type { WireFaceHit, WireLabelHit } from './wire.js';

/** Score desc, then seq asc (faces without a seq after those with one): one FaceIndex fed in seq order ranks ties the same. */
function byScoreThenSeq(a: WireFaceHit, b: WireFaceHit): number {
  if (a.score !== b.score) return b.score - a.score;
  return (a.seq ?? Infinity) - (b.seq ?? Infinity) || 0;
}

/**
 * The k best faces over every shard's list (one list per shard, in shard order). Full ties
 * (same score, no seq) keep shard order, then each shard's own order (Array sort is stable).
 */
export function mergeFaceHits(perShard: readonly (readonly WireFaceHit[])[], k: number): WireFaceHit[] {
  return perShard.flat().sort(byScoreThenSeq).slice(0, k);
}

/**
 * The k best subjects (aggregate 'max'): a subject's score is its best face on any shard, the
 * max of the shards' maxima. Exact: a subject left out of a shard's top-k has k subjects at or
 * above its score there, each scoring at least that overall. Equal scores: subject name order
 * (one FaceIndex orders them by an internal label number that has no meaning across shards).
 */
export function mergeLabelHits(perShard: readonly (readonly WireLabelHit[])[], k: number): WireLabelHit[] {
  const best = new Map<string, number>();
  for (const list of perShard) {
    for (const h of list) {
      const seen = best.get(h.subject);
      if (seen === undefined || h.score > seen) best.set(h.subject, h.score);
    }
  }
  return [...best].map(([subject, score]) => ({ subject, score }))
    .sort((a, b) => b.score - a.score || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))
    .slice(0, k);
}
