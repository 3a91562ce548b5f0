#!/bin/bash
# Planted 512-d clusters: facecore's exact k-NN graph + components against scikit-learn's DBSCAN
# (brute, cosine, min_samples 2), rounds interleaved, both pinned to the same CPUS (default the
# first two: the "2 cores") with that many threads. For hosts without Node; on this
# project's machines `node bench/people.js planted` is the full comparison.
#   [PYTHON=python3] [PEER=0] bench/native/knn_cluster_bench.sh [N=20000] [ROUNDS=3] [CPUS=0,1]
# PEER=0 skips scikit-learn (at n = 100k it needs minutes).
set -euo pipefail
n=${1:-20000}; rounds=${2:-3}; cpus=${3:-0,1}
threads=$(echo "$cpus" | tr ',' '\n' | wc -l)
work=$(mktemp -d)
cmake -S . -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j "$(nproc)" --target facecore_kernels >/dev/null
g++ -O2 -std=c++17 -Inative/include bench/native/knn_cluster_bench.cc "$work/build/libfacecore_kernels.a" -lpthread -o "$work/bench"
"$work/bench" write "$n" "$work"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cpus $cpus ($threads threads each); isa flags: $(grep -o 'avx512_vnni\|avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
for r in $(seq "$rounds"); do
  echo "round $r"
  taskset -c "$cpus" "$work/bench" run "$work" "$threads"
  [ "${PEER:-1}" = 0 ] && continue
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads taskset -c "$cpus" "${PYTHON:-python3}" bench/native/dbscan_peer.py "$work" "$threads"
done
rm -rf "$work"
