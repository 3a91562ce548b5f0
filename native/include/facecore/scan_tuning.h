// The exact-search scan's tunables (block_scan.h, its producers and handlers, and
// similarity_matrix), each named once, with the reason for its value.
#pragma once

#include <algorithm>
#include <cstddef>

namespace facecore {

namespace tuning {
// Gallery bytes per block: with a query chunk (kQueryChunk rows) and its score tile it stays
// in a 1 MiB L2 while every chunk passes over it.
constexpr size_t kBlockBytes = 192 * 1024;
// Rows per block: a multiple of the dot kernels' 12-row panel, at most the 1536 the per-tile
// gallery-norm buffer holds.
constexpr size_t kBlockRowsMin = 12, kBlockRowsMax = 1536;
// Queries per chunk: a chunk and its score tile stay in L2; 128 spreads the packing of a
// gallery block (packed GEMM path) over more queries than 64 did (160 -> 173 GFLOP/s, Q = 100).
constexpr size_t kQueryChunk = 128;
// Parts per thread, taken dynamically: a thread the OS starves (a busy or shared machine) no
// longer holds every other thread up at the end (commit 8d84a6a, topK; no figure was recorded,
// 4 keeps the per-part handler memory small while giving the pool slack to rebalance).
constexpr int kPartsPerThread = 4;
// From this k the reservoir handler replaces the heap: heap upkeep is O(log k) per entering
// hit, the reservoir's amortised O(1) (faiss's distance_compute_min_k_reservoir, 100; not
// re-measured here).
constexpr size_t kReservoirFromK = 100;
// Float16 rows with at least this many queries: each block is widened to float32 once, then
// runs through the float32 kernel (its packed GEMM from 24 rows) instead of being converted
// again for every query strip.
constexpr size_t kWidenF16MinRows = 8;
// Int8 rows with at least this many queries: each block is widened to int16 once
// (search_i8_wide.h) instead of every code being sign-extended once per strip of queries.
// AVX-512 VNNI: from 8 (measured when its kernel widened each call: Q = 100, N = 200k,
// 2 threads, 85 -> 53 ms). AVX2 and scalar: from a full query chunk. On AVX2 the wide kernel
// runs at the int8 one's rate on an L2-resident tile and gains ~13% only in the 20k self-join
// (1024-row chunks); widening a 384-row block (~12 us at dim 512) costs what ~25 queries gain.
constexpr size_t kWidenI8MinRows = 8;
constexpr size_t kWidenI8MinRowsAvx2 = kQueryChunk;
// Per-part label aggregates one identity search may hold: queries go in groups small enough
// to stay under it however many labels there are.
constexpr size_t kLabelAggregateBytes = 64u << 20;
}  // namespace tuning

// Gallery rows per block for rows of dim elements of elem_bytes each.
inline size_t scan_block_rows(size_t dim, size_t elem_bytes) {
  const size_t rows = tuning::kBlockBytes / (dim * elem_bytes);
  return std::clamp<size_t>(rows / 12 * 12, tuning::kBlockRowsMin, tuning::kBlockRowsMax);
}

}  // namespace facecore
