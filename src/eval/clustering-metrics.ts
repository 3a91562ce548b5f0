// Clustering quality against true identities: BCubed and pairwise precision, recall and F.
// Both come from the contingency table n[c][p] (true class c, predicted cluster p), so they
// cost O(n) with a map rather than O(n^2) over pairs. A predicted label of -1 means "not
// assigned to any person": each such face is its own singleton cluster (it groups with nobody).

export interface PrecisionRecall {
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f: number;
}

export interface ClusteringScores {
  /** Averaged per face (Amigó et al. 2009): how pure each face's cluster is, how complete its class. */
  bcubed: PrecisionRecall;
  /** Over pairs of faces: same-cluster pairs that are same-person, and vice versa. */
  pairwise: PrecisionRecall;
  /** Predicted clusters, singletons of unassigned faces included. */
  clusters: number;
  /** Faces labelled -1. */
  unassigned: number;
}

type Labels = ArrayLike<number | string>;

function checkLabels(name: string, labels: unknown): Labels {
  if (labels === null || typeof labels !== 'object' || typeof (labels as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${name}: expected an array or typed array of labels, got ${labels === null ? 'null' : typeof labels}`);
  }
  return labels as Labels;
}

const f1 = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const pairs = (n: number) => (n * (n - 1)) / 2;

/**
 * Scores a clustering `predicted` (cluster ids, -1 = unassigned) against `truth` (identity
 * per face, any numbers or strings). Empty input scores 1 everywhere (nothing is wrong).
 */
export function clusteringScores(truth: Labels, predicted: ArrayLike<number>): ClusteringScores {
  checkLabels('truth', truth);
  checkLabels('predicted', predicted);
  if (truth.length !== predicted.length) {
    throw new RangeError(`predicted: expected ${truth.length} labels (one per truth label), got ${predicted.length}`);
  }
  const n = truth.length;
  const classSize = new Map<number | string, number>();
  const clusterSize = new Map<string, number>();
  const cells = new Map<string, { count: number; t: number | string; pk: string }>();
  let unassigned = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < -1) {
      throw new RangeError(`predicted[${i}]: expected an integer cluster id >= -1, got ${String(p)}`);
    }
    const t = truth[i];
    const pk = p === -1 ? `u${i}` : `c${p}`;
    if (p === -1) unassigned++;
    classSize.set(t, (classSize.get(t) ?? 0) + 1);
    clusterSize.set(pk, (clusterSize.get(pk) ?? 0) + 1);
    const key = `${typeof t}:${String(t)}\u0000${pk}`;
    const c = cells.get(key);
    if (c) c.count++;
    else cells.set(key, { count: 1, t, pk });
  }
  if (n === 0) {
    const one = { precision: 1, recall: 1, f: 1 };
    return { bcubed: one, pairwise: { ...one }, clusters: 0, unassigned: 0 };
  }
  // Each cell's faces all see the same cluster and class: n_cp^2 / |p| summed is n * mean precision.
  let bp = 0, br = 0, tp = 0;
  for (const { count, t, pk } of cells.values()) {
    bp += (count * count) / clusterSize.get(pk)!;
    br += (count * count) / classSize.get(t)!;
    tp += pairs(count);
  }
  let predictedPairs = 0, truePairs = 0;
  for (const s of clusterSize.values()) predictedPairs += pairs(s);
  for (const s of classSize.values()) truePairs += pairs(s);
  const pp = predictedPairs > 0 ? tp / predictedPairs : 1;
  const pr = truePairs > 0 ? tp / truePairs : 1;
  return {
    bcubed: { precision: bp / n, recall: br / n, f: f1(bp / n, br / n) },
    pairwise: { precision: pp, recall: pr, f: f1(pp, pr) },
    clusters: clusterSize.size,
    unassigned,
  };
}
