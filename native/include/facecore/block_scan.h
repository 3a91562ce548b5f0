// THE exact-search scan (faiss's blocked scheme): the gallery is cut into L2-sized blocks of
// rows, the blocks into contiguous parts taken dynamically by the pool's threads; each part
// scores (query chunk x block) tiles from a tile producer and feeds them to a result handler
// (result_handlers.h) whose state is per part, then the handler merges the parts in a fixed
// order. topk_search, the gallery search (faces and identities) and range search all run
// through block_scan. A k-NN graph (all rows vs all rows) is a self-join: the queries are the
// gallery's own first rows, each score serves both rows of its pair, and the tiles wholly on or
// below the diagonal are skipped (ScanGrid::self_join; knn_graph.cc feeds both rows).
//
// Producer (scores for a tile, finished: cosine-scaled and clamped, masked rows -Inf):
//   Scratch scratch(size_t tile_rows) const;          per-thread buffers
//   void begin_block(Scratch&, size_t g0, size_t gn) const;
//   bool tile(Scratch&, size_t q0, size_t qn, size_t g0, size_t gn, float* s, size_t lds) const;
//     -> false when a score is not finite (the scan stops, the call reports kNonFinite)
// Handler:
//   void add(int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* s, size_t lds);
//   called concurrently for different parts, in increasing g0 within a part.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "facecore/parallel.h"
#include "facecore/scan_tuning.h"
#include "facecore/similarity.h"

namespace facecore {

// How a scan is cut: nq queries against n gallery rows in blocks of `block` rows, in `parts`
// contiguous ranges of blocks over `threads` threads.
struct ScanGrid {
  size_t nq = 0, n = 0, block = 1;
  int parts = 1, threads = 1;
  // Query row i is gallery row i: a tile whose every pair has query >= gallery row is skipped.
  bool self_join = false;

  size_t blocks() const { return (n + block - 1) / block; }
};

// parts_per_thread: kPartsPerThread, or 1 for handlers whose per-part state is large.
inline ScanGrid plan_scan(size_t nq, size_t n, size_t block, int threads,
                          int parts_per_thread = tuning::kPartsPerThread) {
  ScanGrid g;
  g.nq = nq, g.n = n, g.block = block;
  g.threads = std::max(threads, 1);
  const size_t want = g.threads == 1 ? 1 : static_cast<size_t>(g.threads) * std::max(parts_per_thread, 1);
  g.parts = static_cast<int>(std::max<size_t>(1, std::min(want, g.blocks())));
  return g;
}

// Runs the scan; false when the producer met a non-finite score.
template <class Producer, class Handler>
bool block_scan(const ScanGrid& grid, const Producer& producer, Handler& handler) {
  if (grid.nq == 0 || grid.n == 0) return true;
  std::atomic<bool> bad{false};
  parallel_for(grid.parts, grid.threads, [&](int part) {
    size_t b_begin, b_end;
    split_range(grid.blocks(), grid.parts, part, &b_begin, &b_end);
    const size_t qc = tuning::kQueryChunk, tile_rows = std::min(qc, grid.nq);
    std::vector<float> tile(tile_rows * grid.block);
    auto scratch = producer.scratch(tile_rows);
    for (size_t blk = b_begin; blk < b_end; ++blk) {
      if (bad.load(std::memory_order_relaxed)) return;
      const size_t g0 = blk * grid.block, gn = std::min(grid.block, grid.n - g0);
      producer.begin_block(scratch, g0, gn);
      for (size_t q0 = 0; q0 < grid.nq; q0 += qc) {
        if (grid.self_join && q0 + 1 >= g0 + gn) break;  // this tile and the later ones lie below the diagonal
        const size_t qn = std::min(qc, grid.nq - q0);
        if (!producer.tile(scratch, q0, qn, g0, gn, tile.data(), grid.block)) {
          bad.store(true, std::memory_order_relaxed);
          return;
        }
        handler.add(part, q0, qn, g0, gn, tile.data(), grid.block);
      }
    }
  });
  return !bad.load();
}

}  // namespace facecore
