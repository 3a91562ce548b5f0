#include "facecore/ivf_scan.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "facecore/parallel.h"
#include "facecore/topk.h"

namespace facecore {

Status ivf_scan(const IvfCells& cells, size_t cell_from, size_t cell_to, size_t k, float min_score,
                int32_t* out_indices, float* out_scores, int threads, const std::atomic<int32_t>* abort,
                std::atomic<int32_t>* cells_done) {
  if (k == 0 || cell_from >= cell_to) return Status::kOk;
  const size_t dim = cells.dim, base = static_cast<size_t>(cells.probe_start[cell_from]);
  std::atomic<size_t> next{cell_from};
  std::atomic<bool> non_finite{false};
  // One cell per task at a time, single-threaded inside: cells are small (tens to hundreds
  // of members), and a pool round trip per cell would cost more than its multiply-adds.
  parallel_for(std::max(threads, 1), threads, [&](int) {
    std::vector<float> queries, gallery, scores;
    std::vector<int32_t> indices;
    for (size_t c = next++; c < cell_to; c = next++) {
      if (abort != nullptr && abort->load(std::memory_order_relaxed) != 0) return;
      const size_t a0 = static_cast<size_t>(cells.probe_start[c]), nq = static_cast<size_t>(cells.probe_start[c + 1]) - a0;
      const size_t g0 = static_cast<size_t>(cells.member_start[c]), ng = static_cast<size_t>(cells.member_start[c + 1]) - g0;
      int32_t* oi = out_indices + (a0 - base) * k;
      float* os = out_scores + (a0 - base) * k;
      std::fill(oi, oi + nq * k, -1);
      std::fill(os, os + nq * k, -std::numeric_limits<float>::infinity());
      if (nq > 0 && ng > 0) {
        // k + 1: the asker may be a member of the cell (its own best match), which is dropped.
        const size_t kq = std::min(k + 1, ng);
        queries.resize(nq * dim);
        for (size_t a = 0; a < nq; ++a)
          std::memcpy(&queries[a * dim], cells.rows + static_cast<size_t>(cells.askers[a0 + a]) * dim, dim * sizeof(float));
        // The cell's members gathered here, per thread, rather than kept sorted by the caller:
        // a copy of every row fewer, and the gather runs on the scan's threads.
        gallery.resize(ng * dim);
        for (size_t j = 0; j < ng; ++j)
          std::memcpy(&gallery[j * dim], cells.rows + static_cast<size_t>(cells.members[g0 + j]) * dim, dim * sizeof(float));
        indices.resize(nq * kq);
        scores.resize(nq * kq);
        if (topk_search(queries.data(), nq, gallery.data(), ng, dim, kq, cells.metric, indices.data(),
                        scores.data(), 1, min_score) != Status::kOk) {
          non_finite = true;
          return;
        }
        for (size_t a = 0; a < nq; ++a) {
          const int32_t self = cells.askers[a0 + a];
          size_t w = 0;
          for (size_t s = 0; s < kq && w < k; ++s) {
            const int32_t j = indices[a * kq + s];
            if (j < 0) break;
            const int32_t v = cells.members[g0 + static_cast<size_t>(j)];
            if (v == self) continue;
            oi[a * k + w] = v;
            os[a * k + w] = scores[a * kq + s];
            ++w;
          }
        }
      }
      if (cells_done != nullptr) cells_done->fetch_add(1, std::memory_order_relaxed);
    }
  });
  return non_finite ? Status::kNonFinite : Status::kOk;
}

}  // namespace facecore
