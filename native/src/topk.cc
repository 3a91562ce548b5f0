#include "facecore/topk.h"

#include <algorithm>
#include <vector>

#include "facecore/block_scan.h"
#include "facecore/result_handlers.h"
#include "raw_f32_tiles.h"

namespace facecore {

Status topk_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, size_t k,
                   Metric metric, int32_t* indices, float* scores, int threads, float min_score) {
  const size_t kk = std::min(k, ng);
  if (nq == 0 || kk == 0) return Status::kOk;
  const detail::RawF32Tiles tiles(queries, nq, gallery, dim, metric);
  if (!tiles.queries_finite()) return Status::kNonFinite;
  const ScanGrid grid = plan_scan(nq, ng, scan_block_rows(dim, sizeof(float)), threads);
  return scan_top_k(grid, tiles, kk, min_score, indices, scores);
}

Status range_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, Metric metric,
                    float min_score, std::vector<size_t>* lims, std::vector<int32_t>* indices,
                    std::vector<float>* scores, int threads) {
  const detail::RawF32Tiles tiles(queries, nq, gallery, dim, metric);
  if (!tiles.queries_finite()) return Status::kNonFinite;
  const ScanGrid grid = plan_scan(nq, ng, scan_block_rows(dim, sizeof(float)), threads);
  RangeHandler handler(nq, grid.parts, min_score);
  if (!block_scan(grid, tiles, handler)) return Status::kNonFinite;
  handler.write_all(lims, indices, scores, nq);
  return Status::kOk;
}

}  // namespace facecore
