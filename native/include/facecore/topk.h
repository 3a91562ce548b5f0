// Exact search of float32 queries against a float32 gallery: top-k, and range (every row
// scoring >= min_score). Both run through block_scan (block_scan.h) with a result handler,
// never materialising the nq x ng score matrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "facecore/similarity.h"

namespace facecore {

// indices/scores: nq x min(k, ng) row-major, best first; equal scores are ordered by the
// lower gallery index. Rows scoring below min_score are left out: their slots get index -1
// and score -Inf.
Status topk_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, size_t k,
                   Metric metric, int32_t* indices, float* scores, int threads,
                   float min_score = -std::numeric_limits<float>::infinity());

// Every gallery row scoring >= min_score, per query best first: query i's hits are
// [lims[i], lims[i + 1]) of indices/scores (lims has nq + 1 entries).
Status range_search(const float* queries, size_t nq, const float* gallery, size_t ng, size_t dim, Metric metric,
                    float min_score, std::vector<size_t>* lims, std::vector<int32_t>* indices,
                    std::vector<float>* scores, int threads);

}  // namespace facecore
