#include <immintrin.h>

#include "facecore/machine_limits.h"

namespace facecore::detail {

float sum_stream_avx2(const float* data, size_t n) {
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    for (int j = 0; j < 8; ++j) acc[j] = _mm256_add_ps(acc[j], _mm256_loadu_ps(data + i + 8 * j));
  float tail = 0;
  for (; i < n; ++i) tail += data[i];
  for (int j = 1; j < 8; ++j) acc[0] = _mm256_add_ps(acc[0], acc[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  for (float l : lanes) tail += l;
  return tail;
}

double fma_loop_avx2(long iters, float* sink) {
  constexpr int kChains = 12;
  __m256 v[kChains];
  for (int j = 0; j < kChains; ++j) v[j] = _mm256_set1_ps(1.0f + j * 1e-3f);
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int j = 0; j < kChains; ++j) v[j] = _mm256_fmadd_ps(v[j], x, y);
  for (int j = 1; j < kChains; ++j) v[0] = _mm256_add_ps(v[0], v[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v[0]);
  float s = 0;
  for (float l : lanes) s += l;
  *sink = s;
  return 2.0 * 8 * kChains * static_cast<double>(iters);
}

}  // namespace facecore::detail
