// F16C conversions, 8 values per instruction; tails go through a small zeroed buffer.
#include <immintrin.h>

#include <cstring>

#include "facecore/quantize.h"

namespace facecore::detail {

void f32_to_f16_avx2(const float* x, size_t n, uint16_t* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  if (i < n) {
    alignas(32) float tmp[8] = {};
    alignas(16) uint16_t res[8];
    std::memcpy(tmp, x + i, (n - i) * sizeof(float));
    _mm_store_si128(reinterpret_cast<__m128i*>(res),
                    _mm256_cvtps_ph(_mm256_load_ps(tmp), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    std::memcpy(out + i, res, (n - i) * sizeof(uint16_t));
  }
}

void f16_to_f32_avx2(const uint16_t* h, size_t n, float* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
  if (i < n) {
    alignas(16) uint16_t tmp[8] = {};
    alignas(32) float res[8];
    std::memcpy(tmp, h + i, (n - i) * sizeof(uint16_t));
    _mm256_store_ps(res, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp))));
    std::memcpy(out + i, res, (n - i) * sizeof(float));
  }
}

}  // namespace facecore::detail
