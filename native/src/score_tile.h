// Post-processing of a score tile fresh from a dot block: cosine scaling and the
// non-finite check, done while the tile is still in cache.
#pragma once

#include <cmath>
#include <cstddef>

namespace facecore::detail {

// True when every value is finite: x * 0 is 0 for finite x and NaN otherwise.
inline bool all_finite(const float* x, size_t n) {
  float probe = 0.0f;
  for (size_t i = 0; i < n; ++i) probe += x[i] * 0.0f;
  return probe == 0.0f;
}

inline bool tile_finite(const float* s, size_t lds, size_t rows, size_t cols) {
  float probe = 0.0f;
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) probe += s[i * lds + j] * 0.0f;
  return probe == 0.0f;
}

// s[i][j] *= inv_q[i] / |g_j|, clamped to [-1, 1]; gsq holds |g_j|^2 and becomes 1/|g_j|.
// Returns false if a gallery norm or a score is not finite (NaN/Inf input, or overflow).
inline bool cosine_tile(float* s, size_t lds, size_t rows, size_t cols, const float* inv_q, float* gsq) {
  float probe = 0.0f;
  for (size_t j = 0; j < cols; ++j) {
    probe += gsq[j] * 0.0f;
    gsq[j] = gsq[j] > 0.0f ? 1.0f / std::sqrt(gsq[j]) : 0.0f;
  }
  for (size_t i = 0; i < rows; ++i) {
    float* row = s + i * lds;
    const float qi = inv_q[i];
    for (size_t j = 0; j < cols; ++j) {
      probe += row[j] * 0.0f;
      const float v = row[j] * qi * gsq[j];
      row[j] = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
    }
  }
  return probe == 0.0f;
}

}  // namespace facecore::detail
