#include <immintrin.h>

#include "facecore/machine_limits.h"

namespace facecore::detail {

// Eight independent accumulators keep enough loads in flight to saturate memory.
float sum_stream_avx512(const float* data, size_t n) {
  __m512 acc[8];
  for (auto& a : acc) a = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 128 <= n; i += 128)
    for (int j = 0; j < 8; ++j) acc[j] = _mm512_add_ps(acc[j], _mm512_loadu_ps(data + i + 16 * j));
  for (; i < n; ++i) acc[0] = _mm512_add_ps(acc[0], _mm512_set1_ps(data[i]));
  for (int j = 1; j < 8; ++j) acc[0] = _mm512_add_ps(acc[0], acc[j]);
  return _mm512_reduce_add_ps(acc[0]);
}

// 12 independent chains cover FMA latency (4 cycles) times 2-3 FMA pipes.
double fma_loop_avx512(long iters, float* sink) {
  constexpr int kChains = 12;
  __m512 v[kChains];
  for (int j = 0; j < kChains; ++j) v[j] = _mm512_set1_ps(1.0f + j * 1e-3f);
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int j = 0; j < kChains; ++j) v[j] = _mm512_fmadd_ps(v[j], x, y);
  for (int j = 1; j < kChains; ++j) v[0] = _mm512_add_ps(v[0], v[j]);
  *sink = _mm512_reduce_add_ps(v[0]);
  return 2.0 * 16 * kChains * static_cast<double>(iters);
}

}  // namespace facecore::detail
