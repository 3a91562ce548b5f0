#include "facecore/knn_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "facecore/quantize.h"
#include "facecore/topk.h"

namespace facecore {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Rows [r0, r0 + nr) as float32 queries: in place for float32 rows, decoded otherwise.
const float* query_rows(const StoredRows& rows, size_t r0, size_t nr, std::vector<float>& buf) {
  const size_t dim = rows.dim;
  if (rows.storage == Storage::kF32) return static_cast<const float*>(rows.data) + r0 * dim;
  buf.resize(nr * dim);
  if (rows.storage == Storage::kF16)
    f16_to_f32(static_cast<const uint16_t*>(rows.data) + r0 * dim, nr * dim, buf.data());
  else
    dequantize_i8(static_cast<const int8_t*>(rows.data) + r0 * dim, rows.scales + r0, nr, dim, buf.data());
  return buf.data();
}

// One search call for the chunk's rows, k + 1 results each, through the one block scan
// (its heap and range handlers apply min_score before results are merged).
Status search_chunk(const StoredRows& rows, const float* q, size_t nr, size_t k1, Metric metric, float min_score,
                    int32_t* idx, float* sc, int threads) {
  if (rows.storage == Storage::kF32)
    return topk_search(q, nr, static_cast<const float*>(rows.data), rows.n, rows.dim, k1, metric, idx, sc, threads,
                       min_score);
  return index_topk(q, nr, rows, k1, metric, idx, sc, threads, min_score);
}

// Copies one row's k + 1 results without the row itself (or without the last one when the
// row is not among them: then all k + 1 are other rows and the first k are the answer).
void drop_self(int32_t self, const int32_t* idx, const float* sc, size_t k1, size_t kk, float min_score,
               int32_t* out_idx, float* out_sc) {
  size_t w = 0;
  for (size_t r = 0; r < k1 && w < kk; ++r) {
    if (idx[r] == self) continue;
    const bool keep = idx[r] >= 0 && sc[r] >= min_score;
    out_idx[w] = keep ? idx[r] : -1;
    out_sc[w] = keep ? sc[r] : kNegInf;
    ++w;
  }
  for (; w < kk; ++w) {
    out_idx[w] = -1;
    out_sc[w] = kNegInf;
  }
}

}  // namespace

KnnStatus knn_graph(const StoredRows& rows, size_t k, Metric metric, float min_score, int32_t* indices,
                    float* scores, int threads, const KnnControl& control) {
  const size_t n = rows.n;
  const size_t kk = n == 0 ? 0 : std::min(k, n - 1);
  if (kk == 0) return KnnStatus::kOk;
  const size_t k1 = kk + 1;
  std::vector<float> decoded;
  std::vector<int32_t> idx(kKnnChunkRows * k1);
  std::vector<float> sc(kKnnChunkRows * k1);
  for (size_t r0 = 0; r0 < n; r0 += kKnnChunkRows) {
    if (control.abort && control.abort->load(std::memory_order_relaxed) != 0) return KnnStatus::kAborted;
    const size_t nr = std::min(kKnnChunkRows, n - r0);
    const float* q = query_rows(rows, r0, nr, decoded);
    if (search_chunk(rows, q, nr, k1, metric, min_score, idx.data(), sc.data(), threads) != Status::kOk)
      return KnnStatus::kNonFinite;
    for (size_t i = 0; i < nr; ++i)
      drop_self(static_cast<int32_t>(r0 + i), idx.data() + i * k1, sc.data() + i * k1, k1, kk, min_score,
                indices + (r0 + i) * kk, scores + (r0 + i) * kk);
    if (control.rows_done) control.rows_done->store(static_cast<int32_t>(r0 + nr), std::memory_order_relaxed);
  }
  return KnnStatus::kOk;
}

}  // namespace facecore
