// Exact k-nearest-neighbour graph of one matrix against itself: for every row, the k other
// rows of highest similarity. A thin driver over the exact search entry points (topk_search
// for float32 rows, index_topk for float16/int8 rows): rows [r0, r1) are searched as queries
// against all rows with k + 1 results and the row itself is dropped. Chunks of query rows
// are the points where progress is reported and an abort is noticed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "facecore/gallery_search.h"
#include "facecore/similarity.h"

namespace facecore {

struct KnnControl {
  const std::atomic<int32_t>* abort = nullptr;  // nonzero: stop at the next chunk
  std::atomic<int32_t>* rows_done = nullptr;    // rows finished so far (written after each chunk)
};

enum class KnnStatus : int { kOk = 0, kNonFinite = 1, kAborted = 2 };

// Query rows per chunk: enough that each search call keeps every thread busy on whole
// gallery blocks, few enough that progress and abort come several times a second.
constexpr size_t kKnnChunkRows = 1024;

// indices/scores: n x min(k, n - 1) row-major, best first; equal scores go to the lower row
// index; a row never lists itself (a duplicate row is listed like any other). Neighbours
// scoring below min_score get index -1 and score -Inf (pass -Inf to keep all).
// rows.mask must be null: every row is a query and a candidate.
KnnStatus knn_graph(const StoredRows& rows, size_t k, Metric metric, float min_score, int32_t* indices,
                    float* scores, int threads, const KnnControl& control = {});

}  // namespace facecore
