// Batched similarity between two sets of row-major float32 vectors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "facecore/scan_tuning.h"

namespace facecore {

enum class Metric : int { kDot = 0, kCosine = 1 };

// Status of a kernel call. The only failure a kernel can see after the bindings checked
// the sizes is a non-finite value (NaN/Inf in an input, or float32 overflow): it costs
// nothing to notice, since such a value makes every score it touches non-finite.
enum class Status : int { kOk = 0, kNonFinite = 1 };

// out[i * nb + j] = similarity(a_i, b_j) for i < na, j < nb (row-major na x nb).
// Cosine normalises inside; a zero vector has similarity 0 with everything. Scores of
// cosine are clamped to [-1, 1].
Status similarity_matrix(const float* a, size_t na, const float* b, size_t nb, size_t dim, Metric metric,
                         float* out, int threads);

namespace detail {

// Dot products of a block: s[i * lds + j] = q_i . g_j for i < nq, j < ng. If gsq is not
// null it also receives |g_j|^2. One implementation per ISA; every row goes through the
// same sequence of operations wherever it sits in a tile, so identical rows score
// bit-identically (ties are real ties).
using DotBlockFn = void (*)(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s,
                            size_t lds, float* gsq);

void dot_block_scalar(const float*, size_t, const float*, size_t, size_t, float*, size_t, float*);
void dot_block_avx2(const float*, size_t, const float*, size_t, size_t, float*, size_t, float*);
void dot_block_avx512(const float*, size_t, const float*, size_t, size_t, float*, size_t, float*);
// The packed-GEMM paths (gallery packed into [k][32] or [k][16] panels) that dot_block_avx512
// and dot_block_avx2 take for many query rows; exposed so tests can compare them with the
// streaming path.
void dot_block_packed_avx512(const float*, size_t, const float*, size_t, size_t, float*, size_t, float*);
void dot_block_packed_avx2(const float*, size_t, const float*, size_t, size_t, float*, size_t, float*);

// Index of the first s[j] > threshold in [0, n), or n. Top-k handlers use it to skip the
// (mostly) losing scores of a tile 16 at a time.
using FirstAboveFn = size_t (*)(const float* s, size_t n, float threshold);

size_t first_above_scalar(const float*, size_t, float);
size_t first_above_avx2(const float*, size_t, float);
size_t first_above_avx512(const float*, size_t, float);

// The variants for the active ISA.
DotBlockFn dot_block();
FirstAboveFn first_above();

// Float32 gallery rows per block (scan_block_rows, scan_tuning.h).
size_t gallery_block_rows(size_t dim);

// 1 / |x_i| (0 for a zero vector) in float64, for the (few) query rows.
void inverse_norms(const float* x, size_t n, size_t dim, float* out);

}  // namespace detail
}  // namespace facecore
