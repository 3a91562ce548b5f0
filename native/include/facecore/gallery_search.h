// Exact search over a gallery's stored rows (float32, float16 or int8), with a candidate mask
// (deleted slots, filters): the same block_scan and result handlers as topk_search, with a
// tile producer for stored rows. Tie rule: equal scores go to the lower row index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "facecore/gallery_rows.h"
#include "facecore/similarity.h"

namespace facecore {

enum class Aggregate : int { kMax = 0, kMean = 1 };

// The stored rows. For cosine they were L2-normalised before storage, so cosine search is a
// dot product with the normalised query (clamped to [-1, 1]).
struct StoredRows {
  Storage storage = Storage::kF32;
  const void* data = nullptr;     // n x dim float / uint16 (binary16) / int8
  const float* scales = nullptr;  // int8 only: n per-row scales
  size_t n = 0, dim = 0;
  const uint8_t* mask = nullptr;  // n flags, 0 = not a candidate; null = every row is
};

// indices/scores: nq x min(k, n), best first. Slots past the candidates scoring >= min_score
// get index -1 and score -Inf. kNonFinite when a query is not finite or a dot product overflows.
Status index_topk(const float* queries, size_t nq, const StoredRows& rows, size_t k, Metric metric,
                  int32_t* indices, float* scores, int threads,
                  float min_score = -std::numeric_limits<float>::infinity());

// Identity search: labels[r] in [0, n_labels) is row r's identity. Per query, each label's
// score is the max or the mean of its candidate rows' scores; the best min(k, n_labels)
// labels scoring >= min_score come back (label -1 / score -Inf past them).
Status index_top_labels(const float* queries, size_t nq, const StoredRows& rows, const int32_t* labels,
                        size_t n_labels, Aggregate aggregate, size_t k, Metric metric, int32_t* out_labels,
                        float* out_scores, int threads, float min_score = -std::numeric_limits<float>::infinity());

namespace detail {

// s[i * lds + j] = q_i . g_j with gallery rows in float16 (queries float32).
using DotBlockF16Fn = void (*)(const float* q, size_t nq, const uint16_t* g, size_t ng, size_t dim, float* s,
                               size_t lds);
// s[i * lds + j] = q_i . g_j in exact integer arithmetic: int16 queries, int8 gallery rows.
using DotBlockI8Fn = void (*)(const int16_t* q, size_t nq, const int8_t* g, size_t ng, size_t dim, int32_t* s,
                              size_t lds);

void dot_block_f16_scalar(const float*, size_t, const uint16_t*, size_t, size_t, float*, size_t);
void dot_block_f16_avx2(const float*, size_t, const uint16_t*, size_t, size_t, float*, size_t);
void dot_block_f16_avx512(const float*, size_t, const uint16_t*, size_t, size_t, float*, size_t);
void dot_block_i8_scalar(const int16_t*, size_t, const int8_t*, size_t, size_t, int32_t*, size_t);
void dot_block_i8_avx2(const int16_t*, size_t, const int8_t*, size_t, size_t, int32_t*, size_t);
void dot_block_i8_avx512(const int16_t*, size_t, const int8_t*, size_t, size_t, int32_t*, size_t);

DotBlockF16Fn dot_block_f16();
DotBlockI8Fn dot_block_i8();

}  // namespace detail
}  // namespace facecore
