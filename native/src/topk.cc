#include "facecore/topk.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "facecore/parallel.h"
#include "score_tile.h"
#include "topk_handler.h"

namespace facecore {

// faiss-style exact search: the gallery is split into contiguous ranges (a few per thread);
// each thread scores L2-sized (query chunk x gallery block) tiles and feeds every row of
// a tile to that query's handler, so no q x n score matrix is ever written. The per-thread
// results are then merged per query with the same (score, lower index) order.
Status topk_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, size_t k,
                   Metric metric, int32_t* indices, float* scores, int threads) {
  const size_t kk = std::min(k, ng);
  if (nq == 0 || kk == 0) return Status::kOk;
  const bool cosine = metric == Metric::kCosine;
  std::vector<float> inv_q;
  if (cosine) {
    inv_q.resize(nq);
    detail::inverse_norms(queries, nq, dim, inv_q.data());
    if (!detail::all_finite(inv_q.data(), nq)) return Status::kNonFinite;
  }

  const size_t gb = detail::gallery_block_rows(dim), qc = detail::kQueryChunk;
  const size_t n_gblocks = (ng + gb - 1) / gb;
  // More contiguous parts than threads, taken dynamically from the pool: a thread that the
  // OS starves (a busy or shared machine) no longer holds everyone up. Each part keeps its
  // own heaps, so gallery rows still reach a heap in increasing index order (the tie rule).
  const int workers = std::max(threads, 1);
  const size_t want_parts = workers == 1 ? 1 : static_cast<size_t>(workers) * 4;
  const int parts = static_cast<int>(std::min<size_t>(want_parts, n_gblocks));
  std::vector<detail::Hit> hits(static_cast<size_t>(parts) * nq * kk);
  std::vector<detail::TopKHeap> heaps(static_cast<size_t>(parts) * nq);
  const auto kernel = detail::dot_block();
  const auto above = detail::first_above();
  std::atomic<bool> bad{false};

  parallel_for(parts, workers, [&](int part) {
    size_t b_begin, b_end;
    split_range(n_gblocks, parts, part, &b_begin, &b_end);
    detail::TopKHeap* my_heaps = heaps.data() + static_cast<size_t>(part) * nq;
    for (size_t i = 0; i < nq; ++i) my_heaps[i].reset(hits.data() + (static_cast<size_t>(part) * nq + i) * kk, kk);
    std::vector<float> tile(qc * gb);
    float gsq[1536];
    bool ok = true;
    for (size_t blk = b_begin; blk < b_end && ok; ++blk) {
      const size_t g0 = blk * gb, gn = std::min(gb, ng - g0);
      for (size_t q0 = 0; q0 < nq; q0 += qc) {
        const size_t qn = std::min(qc, nq - q0);
        kernel(queries + q0 * dim, qn, gallery + g0 * dim, gn, dim, tile.data(), gb, cosine ? gsq : nullptr);
        ok = cosine ? detail::cosine_tile(tile.data(), gb, qn, gn, inv_q.data() + q0, gsq)
                    : detail::tile_finite(tile.data(), gb, qn, gn);
        if (!ok) break;
        for (size_t i = 0; i < qn; ++i)
          my_heaps[q0 + i].offer(tile.data() + i * gb, gn, static_cast<int32_t>(g0), above);
      }
    }
    if (!ok) bad.store(true, std::memory_order_relaxed);
  });
  if (bad.load()) return Status::kNonFinite;

  // Merge: the best kk of every part's hits, in (score desc, index asc) order.
  std::vector<detail::Hit> merged;
  for (size_t i = 0; i < nq; ++i) {
    merged.clear();
    for (int p = 0; p < parts; ++p) {
      const auto& h = heaps[static_cast<size_t>(p) * nq + i];
      merged.insert(merged.end(), h.begin(), h.end());
    }
    std::partial_sort(merged.begin(), merged.begin() + kk, merged.end(), detail::better);
    for (size_t r = 0; r < kk; ++r) {
      indices[i * kk + r] = merged[r].index;
      scores[i * kk + r] = merged[r].score;
    }
  }
  return Status::kOk;
}

}  // namespace facecore
