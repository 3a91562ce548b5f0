// Identification (1:N) metrics: closed-set CMC and open-set TPIR at FPIR.
//
// Input: a probe x gallery similarity matrix (row-major, higher = more alike) with an identity
// per probe and per gallery entry. A gallery identity may have several entries; an identity's
// score for a probe is its best entry. Ties: when the true identity's score equals other
// identities' scores, its rank is taken as uniform over the tied places, so a metric counts the
// probability of a hit (a two-way tie for first counts one half at rank 1, one at rank 2). This
// is the same "ties count one half" rule as the AUC.

import { operatingPoint } from './operating-point.js';
import { checkPositiveInt, checkRate, checkScores, checkStrings } from './validate.js';

export interface IdentificationInput {
  /** probeIds.length x galleryIds.length similarities, row-major. */
  scores: ArrayLike<number>;
  probeIds: readonly string[];
  galleryIds: readonly string[];
}

/** One probe's standing against the gallery. */
export interface ProbeRank {
  /** Whether the probe's identity is enrolled. */
  mated: boolean;
  /** Identities scoring strictly above the true one (mated probes; else 0). */
  ahead: number;
  /** Other identities scoring exactly the same as the true one. */
  tied: number;
  /** The true identity's score (mated) or NaN. */
  trueScore: number;
  /** Highest score over all gallery identities. */
  topScore: number;
}

/** Probability that the true identity lands within the first `rank` places. */
export function hitProbability(p: ProbeRank, rank: number): number {
  if (!p.mated) return 0;
  return Math.min(1, Math.max(0, (rank - p.ahead) / (p.tied + 1)));
}

/** Validates the input and ranks every probe. */
export function rankProbes(input: IdentificationInput): { probes: ProbeRank[]; identities: number } {
  if (input === null || typeof input !== 'object') throw new TypeError(`input: expected { scores, probeIds, galleryIds }, got ${input === null ? 'null' : typeof input}`);
  const probeIds = checkStrings(input.probeIds, 'probeIds');
  const galleryIds = checkStrings(input.galleryIds, 'galleryIds');
  const scores = checkScores(input.scores, 'scores');
  const n = probeIds.length;
  const m = galleryIds.length;
  if (m === 0) throw new RangeError('galleryIds: expected at least one gallery entry, got 0');
  if (scores.length !== n * m) {
    throw new RangeError(`scores: expected probeIds.length x galleryIds.length = ${n} x ${m} = ${n * m} values, got ${scores.length}`);
  }
  const identityOf = new Map<string, number>();
  const column = new Uint32Array(m);
  for (let j = 0; j < m; j++) {
    let id = identityOf.get(galleryIds[j]);
    if (id === undefined) identityOf.set(galleryIds[j], (id = identityOf.size));
    column[j] = id;
  }
  const identities = identityOf.size;
  const best = new Float64Array(identities);
  const probes: ProbeRank[] = [];
  for (let i = 0; i < n; i++) {
    best.fill(-Infinity);
    let topScore = -Infinity;
    for (let j = 0; j < m; j++) {
      const s = scores[i * m + j];
      if (s > best[column[j]]) best[column[j]] = s;
      if (s > topScore) topScore = s;
    }
    const trueId = identityOf.get(probeIds[i]);
    if (trueId === undefined) {
      probes.push({ mated: false, ahead: 0, tied: 0, trueScore: NaN, topScore });
      continue;
    }
    const trueScore = best[trueId];
    let ahead = 0;
    let tied = 0;
    for (let c = 0; c < identities; c++) {
      if (c === trueId) continue;
      if (best[c] > trueScore) ahead++;
      else if (best[c] === trueScore) tied++;
    }
    probes.push({ mated: true, ahead, tied, trueScore, topScore });
  }
  return { probes, identities };
}

/**
 * Closed-set cumulative match characteristic: cmc[r - 1] = fraction of probes whose identity is
 * within the top r gallery identities, for r = 1..maxRank (default min(10, identities)).
 * Every probe identity must be enrolled.
 */
export function cmc(input: IdentificationInput, maxRank?: number): Float64Array {
  const { probes, identities } = rankProbes(input);
  const k = checkPositiveInt(maxRank ?? Math.min(10, identities), 'maxRank');
  if (probes.length === 0) throw new RangeError('probeIds: expected at least one probe, got 0');
  const missing = probes.findIndex((p) => !p.mated);
  if (missing >= 0) {
    throw new RangeError(`probeIds[${missing}]: expected an identity enrolled in galleryIds (closed set), got ${JSON.stringify(input.probeIds[missing])}`);
  }
  const out = new Float64Array(k);
  for (let r = 1; r <= k; r++) {
    let sum = 0;
    for (const p of probes) sum += hitProbability(p, r);
    out[r - 1] = sum / probes.length;
  }
  return out;
}

/** The standard open-set targets. */
export const DEFAULT_FPIR_TARGETS: readonly number[] = [1e-1, 1e-2, 1e-3];

export interface TpirAtFpir {
  fpir: number;
  /** Fraction of enrolled probes found within `rank` places with score >= threshold; null if unsupported. */
  tpir: number | null;
  threshold: number | null;
  /** FPIR the threshold really achieves (<= fpir). */
  achievedFpir: number | null;
  reason?: string;
}

export interface OpenSetOptions {
  targets?: readonly number[];
  /** A mated probe counts as found when its identity is within this many places (default 1). */
  rank?: number;
}

/**
 * Open-set identification: TPIR at FPIR (default 1e-1, 1e-2, 1e-3). A non-mated probe (identity
 * not enrolled) is a false positive when its top score >= threshold; a mated probe is a true
 * positive when its identity is within `rank` places and its score >= threshold. The threshold
 * follows the TAR@FAR rule: best TPIR with FPIR <= target, never interpolated, and
 * `tpir: null` when there are fewer than 1/target non-mated probes.
 */
export function tpirAtFpir(input: IdentificationInput, options: OpenSetOptions = {}): TpirAtFpir[] {
  const { probes } = rankProbes(input);
  const targets = options.targets ?? DEFAULT_FPIR_TARGETS;
  if (!Array.isArray(targets)) throw new TypeError(`targets: expected an array of rates in (0, 1], got ${typeof targets}`);
  targets.forEach((t, i) => checkRate(t, `targets[${i}]`));
  const rank = checkPositiveInt(options.rank ?? 1, 'rank');
  const mated = probes.filter((p) => p.mated);
  const nonMated = probes.filter((p) => !p.mated);
  if (mated.length === 0 || nonMated.length === 0) {
    throw new RangeError(
      `probeIds: expected at least one enrolled (mated) and one unenrolled (non-mated) probe, got ${mated.length} mated and ${nonMated.length} non-mated`,
    );
  }
  const matedScores = Float64Array.from(mated, (p) => p.trueScore);
  const weights = Float64Array.from(mated, (p) => hitProbability(p, rank));
  const nonMatedDesc = Float64Array.from(nonMated, (p) => p.topScore).sort().reverse();
  return targets.map((t) => {
    const r = operatingPoint(t, nonMatedDesc, matedScores, weights, mated.length, 'non-mated probes');
    const out: TpirAtFpir = { fpir: t, tpir: r.tar, threshold: r.threshold, achievedFpir: r.achievedFar };
    if (r.reason) out.reason = r.reason;
    return out;
  });
}
