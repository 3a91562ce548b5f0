// The scoring step of an inverted-file (IVF) k-NN graph: rows grouped into cells, each row
// scored against the members of the cells it probes. The cells (k-means), the probes and the
// merge of a row's per-cell results live in TypeScript (src/cluster/ivf-graph.ts); this is the
// multiply-add part, one topk_search per cell, cells spread over threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "facecore/similarity.h"

namespace facecore {

// Validated by the caller (the binding): member_start and probe_start non-decreasing, every
// index in range.
struct IvfCells {
  const float* rows = nullptr;          // n x dim (unit length for cosine)
  const int32_t* members = nullptr;     // n: the rows in cell order
  const int32_t* member_start = nullptr;  // cells + 1: cell c's members are [member_start[c], member_start[c + 1])
  const int32_t* askers = nullptr;      // the rows probing each cell, cell by cell
  const int32_t* probe_start = nullptr;   // cells + 1: cell c's askers are [probe_start[c], probe_start[c + 1])
  size_t n = 0, dim = 0;
  Metric metric = Metric::kDot;         // kCosine: rows of any length
};

// For cells [cell_from, cell_to) and every asker slot a of them: the k best-scoring members of
// that cell (by `metric`), never the asker itself, best first, ties to the lower position in
// `members`, -1 / -Inf past the hits >= min_score; written at out[(a - probe_start[cell_from]) * k].
// `abort` (optional) is polled between cells; `cells_done` (optional) counts finished cells.
Status ivf_scan(const IvfCells& cells, size_t cell_from, size_t cell_to, size_t k, float min_score,
                int32_t* out_indices, float* out_scores, int threads,
                const std::atomic<int32_t>* abort = nullptr, std::atomic<int32_t>* cells_done = nullptr);

}  // namespace facecore
