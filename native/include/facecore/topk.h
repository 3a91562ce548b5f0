// Exact top-k search: for each query, the k gallery rows of highest similarity.
#pragma once

#include <cstddef>
#include <cstdint>

#include "facecore/similarity.h"

namespace facecore {

// indices/scores: nq x min(k, ng) row-major, best first; equal scores are ordered by the
// lower gallery index. Never materialises the nq x ng score matrix: scores are made in
// L2-sized tiles that feed per-query result handlers.
Status topk_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, size_t k,
                   Metric metric, int32_t* indices, float* scores, int threads);

}  // namespace facecore
