// Compact storage for embeddings: float16 (IEEE binary16) and int8 with one symmetric
// scale per vector. Conversions round to nearest even, the same on every ISA, so a file
// written on one machine reads back bit-identically on another.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore {

// out[i] = binary16(x[i]), round to nearest even; |x| >= 65520 becomes +-Inf.
void f32_to_f16(const float* x, size_t n, uint16_t* out);
// out[i] = float(h[i]) (exact).
void f16_to_f32(const uint16_t* h, size_t n, float* out);

// Symmetric per-row int8: scale_r = max|x_r| / 127, code = round(x / scale_r) in [-127, 127]
// (a zero row gets scale 0 and zero codes). x ~= code * scale.
void quantize_i8(const float* x, size_t rows, size_t dim, int8_t* codes, float* scales);
void dequantize_i8(const int8_t* codes, const float* scales, size_t rows, size_t dim, float* out);

// Queries against int8 storage are quantised to int16 (far finer than int8, so the query
// adds almost no error), with the largest code chosen so a dim-long int32 dot product of
// int16 x int8 can never overflow: qmax = min(32767, (2^31 - 1) / (127 * dim)).
int32_t i16_query_max(size_t dim);
void quantize_i16(const float* x, size_t rows, size_t dim, int16_t* codes, float* scales);

namespace detail {

using F32ToF16Fn = void (*)(const float*, size_t, uint16_t*);
using F16ToF32Fn = void (*)(const uint16_t*, size_t, float*);
void f32_to_f16_scalar(const float*, size_t, uint16_t*);
void f32_to_f16_avx2(const float*, size_t, uint16_t*);
void f32_to_f16_avx512(const float*, size_t, uint16_t*);
void f16_to_f32_scalar(const uint16_t*, size_t, float*);
void f16_to_f32_avx2(const uint16_t*, size_t, float*);
void f16_to_f32_avx512(const uint16_t*, size_t, float*);

}  // namespace detail
}  // namespace facecore
