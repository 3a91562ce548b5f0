#include "facecore/topk.h"

#include <algorithm>
#include <vector>

#include "facecore/block_scan.h"
#include "facecore/result_handlers.h"
#include "score_tile.h"

namespace facecore {
namespace {

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

}  // namespace

Status topk_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, size_t k,
                   Metric metric, int32_t* indices, float* scores, int threads, float min_score) {
  const size_t kk = std::min(k, ng);
  if (nq == 0 || kk == 0) return Status::kOk;
  const RawF32Tiles tiles(queries, nq, gallery, dim, metric);
  if (!tiles.queries_finite()) return Status::kNonFinite;
  const ScanGrid grid = plan_scan(nq, ng, scan_block_rows(dim, sizeof(float)), threads);
  return scan_top_k(grid, tiles, kk, min_score, indices, scores);
}

Status range_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, Metric metric,
                    float min_score, std::vector<size_t>* lims, std::vector<int32_t>* indices,
                    std::vector<float>* scores, int threads) {
  const RawF32Tiles tiles(queries, nq, gallery, dim, metric);
  if (!tiles.queries_finite()) return Status::kNonFinite;
  const ScanGrid grid = plan_scan(nq, ng, scan_block_rows(dim, sizeof(float)), threads);
  RangeHandler handler(nq, grid.parts, min_score);
  if (!block_scan(grid, tiles, handler)) return Status::kNonFinite;
  handler.write_all(lims, indices, scores, nq);
  return Status::kOk;
}

}  // namespace facecore
