# scikit-learn's DBSCAN (brute, cosine, min_samples 2, n_jobs) on the rows knn_cluster_bench
# wrote: the peer of bench/native/knn_cluster_bench.cc, timed the same way (wall seconds).
#   python3 bench/native/dbscan_peer.py DIR JOBS
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN

THRESHOLD = 0.3


def bcubed_f(truth, labels):
    n = len(truth)
    keys = np.where(labels < 0, -1 - np.arange(n), labels)
    _, cluster_of = np.unique(keys, return_inverse=True)
    _, identity_of = np.unique(truth, return_inverse=True)
    pair = cluster_of.astype(np.int64) * (identity_of.max() + 1) + identity_of
    _, pair_of, pair_counts = np.unique(pair, return_inverse=True, return_counts=True)
    shared = pair_counts[pair_of]
    p = np.mean(shared / np.bincount(cluster_of)[cluster_of])
    r = np.mean(shared / np.bincount(identity_of)[identity_of])
    return 2 * p * r / (p + r)


def main():
    directory, jobs = sys.argv[1], int(sys.argv[2])
    truth = np.fromfile(f'{directory}/truth.i32', dtype=np.int32)
    x = np.fromfile(f'{directory}/x.f32', dtype=np.float32).reshape(len(truth), -1)
    t0 = time.perf_counter()
    labels = DBSCAN(eps=1 - THRESHOLD, min_samples=2, metric='cosine', algorithm='brute', n_jobs=jobs).fit(x).labels_
    seconds = time.perf_counter() - t0
    print(f'sklearn DBSCAN brute cosine, min_samples 2: {seconds:.3f} s, BCubed F {bcubed_f(truth, labels):.4f}')


main()
