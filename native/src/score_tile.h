// Post-processing of a score tile fresh from a dot block: cosine scaling and the
// non-finite check, done while the tile is still in cache. Both loops vectorise: the
// check looks at exponent bits with integer ops (a float "x * 0" probe would chain adds).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace facecore::detail {

// All-ones exponent means Inf or NaN.
inline uint32_t non_finite_bits(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return (bits & 0x7f800000u) == 0x7f800000u;
}

inline bool all_finite(const float* x, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) bad |= non_finite_bits(x[i]);
  return bad == 0;
}

inline bool tile_finite(const float* s, size_t lds, size_t rows, size_t cols) {
  uint32_t bad = 0;
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) bad |= non_finite_bits(s[i * lds + j]);
  return bad == 0;
}

// s[i][j] *= inv_q[i] / |g_j|, clamped to [-1, 1]; gsq holds |g_j|^2 and becomes 1/|g_j|.
// Returns false if a gallery norm or a score is not finite (NaN/Inf input, or overflow).
inline bool cosine_tile(float* s, size_t lds, size_t rows, size_t cols, const float* inv_q, float* gsq) {
  uint32_t bad = 0;
  for (size_t j = 0; j < cols; ++j) {
    bad |= non_finite_bits(gsq[j]);
    gsq[j] = gsq[j] > 0.0f ? 1.0f / std::sqrt(gsq[j]) : 0.0f;
  }
  for (size_t i = 0; i < rows; ++i) {
    float* row = s + i * lds;
    const float qi = inv_q[i];
    for (size_t j = 0; j < cols; ++j) {
      bad |= non_finite_bits(row[j]);
      const float v = row[j] * qi * gsq[j];
      row[j] = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
    }
  }
  return bad == 0;
}

}  // namespace facecore::detail
