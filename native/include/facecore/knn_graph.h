// Exact k-nearest-neighbour graph of one matrix against itself: for every row, the k other
// rows of highest similarity. A self-join over the one block scan (block_scan.h): each pair of
// rows is scored once (the upper triangle of the Gram matrix, half the products of searching
// every row against every row) and the score feeds both rows' result states. Query rows go in
// chunks of kKnnChunkRows against the rows from the chunk's first on; after a chunk its rows
// are complete, so chunks are where progress is reported and an abort is noticed.
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

// Query rows per chunk: enough that each scan keeps every thread busy on whole blocks, few
// enough that progress and abort come several times a second.
constexpr size_t kKnnChunkRows = 1024;
// Scan parts per thread: every part holds a result state for every row (n x parts states of
// k hits; 2 threads, k = 20, n = 1M: ~0.8 GB), so fewer than the searches' kPartsPerThread.
constexpr int kKnnPartsPerThread = 2;

// indices/scores: n x min(k, n - 1) row-major, best first; equal scores go to the lower row
// index; a row never lists itself (a duplicate row is listed like any other). Neighbours
// scoring below min_score get index -1 and score -Inf (pass -Inf to keep all).
// rows.mask must be null: every row is a query and a candidate.
KnnStatus knn_graph(const StoredRows& rows, size_t k, Metric metric, float min_score, int32_t* indices,
                    float* scores, int threads, const KnnControl& control = {});

// The same graph with float32 rows x (n x dim) scored as int8 (as a FaceIndex with int8
// storage scores them): the rows are quantised (L2-normalised first for cosine) to a temporary
// n x dim int8 copy, each query row to int16. Scores carry the quantisation error (~1e-3).
KnnStatus knn_graph_i8(const float* x, size_t n, size_t dim, size_t k, Metric metric, float min_score,
                       int32_t* indices, float* scores, int threads, const KnnControl& control = {});

}  // namespace facecore
