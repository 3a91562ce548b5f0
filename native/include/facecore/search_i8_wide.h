// int8 gallery blocks against many queries: the block is widened to int16 once (begin_block),
// instead of every code being sign-extended again for each strip of queries, and rows and
// queries are zero-padded to a stride of whole vectors, so the kernel has no tail steps. The
// products and sums are the plain kernels' (int16 x int8 in exact int32, bounded by
// i16_query_max), so a score does not depend on which kernel ran.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore::detail {

// Elements per padded row: a multiple of the widest kernel step (32 int16, AVX-512).
inline size_t wide_i8_stride(size_t dim) { return (dim + 31) / 32 * 32; }

// rows (ng x dim int8) -> wide (ng x wide_i8_stride(dim) int16, zeros past dim).
void widen_i8_rows(const int8_t* rows, size_t ng, size_t dim, int16_t* wide);

// s[i * lds + j] = q_i . wide_j in exact int32; q is nq x stride int16 (zeros past dim).
using DotWideI8Fn = void (*)(const int16_t* q, size_t nq, const int16_t* wide, size_t ng, size_t stride,
                             int32_t* s, size_t lds);
void dot_wide_i8_scalar(const int16_t*, size_t, const int16_t*, size_t, size_t, int32_t*, size_t);
void dot_wide_i8_avx2(const int16_t*, size_t, const int16_t*, size_t, size_t, int32_t*, size_t);
void dot_wide_i8_avx512(const int16_t*, size_t, const int16_t*, size_t, size_t, int32_t*, size_t);

DotWideI8Fn dot_wide_i8();
// From how many queries the active ISA's scan widens int8 blocks (scan_tuning.h).
size_t wide_i8_min_rows();

}  // namespace facecore::detail
