// Tile producer for block_scan over raw float32 rows (topk_search, range_search, the k-NN graph).
#pragma once

#include <cstddef>
#include <vector>

#include "facecore/scan_tuning.h"
#include "facecore/similarity.h"
#include "score_tile.h"

namespace facecore::detail {

// Tiles of raw float32 rows: the dot kernel also returns |g_j|^2, so cosine needs no
// normalised copy of the gallery.
struct RawF32Tiles {
  const float* queries;
  const float* gallery;
  size_t dim;
  bool cosine;
  std::vector<float> inv_q;  // cosine: 1 / |q_i|
  detail::DotBlockFn kernel = detail::dot_block();

  RawF32Tiles(const float* q, size_t nq, const float* g, size_t dim_, Metric metric)
      : queries(q), gallery(g), dim(dim_), cosine(metric == Metric::kCosine) {
    if (cosine) {
      inv_q.resize(nq);
      detail::inverse_norms(q, nq, dim, inv_q.data());
    }
  }
  bool queries_finite() const { return !cosine || detail::all_finite(inv_q.data(), inv_q.size()); }

  std::vector<float> scratch(size_t) const { return std::vector<float>(tuning::kBlockRowsMax); }
  void begin_block(std::vector<float>&, size_t, size_t) const {}
  bool tile(std::vector<float>& gsq, size_t q0, size_t qn, size_t g0, size_t gn, float* s, size_t lds) const {
    kernel(queries + q0 * dim, qn, gallery + g0 * dim, gn, dim, s, lds, cosine ? gsq.data() : nullptr);
    return cosine ? detail::cosine_tile(s, lds, qn, gn, inv_q.data() + q0, gsq.data())
                  : detail::tile_finite(s, lds, qn, gn);
  }
};

}  // namespace facecore::detail
