// AVX2 + F16C float16 gallery block: 8 halves per vcvtph2ps, 2 x 4 ymm accumulators
// (8 + 2 + 1 registers, leaving room for the conversion); tails via a zeroed buffer.
#include <immintrin.h>

#include "avx2_tail.h"

#include <cstring>

#include "facecore/gallery_search.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct F16Avx2 {
  using Q = float;
  using G = uint16_t;
  using S = float;
  using Acc = __m256;
  using QV = __m256;
  using GV = __m256;
  static constexpr size_t kWidth = 8, kMR = 2, kNR = 4;
  static Acc zero() { return _mm256_setzero_ps(); }
  static QV load_q(const float* p) { return _mm256_loadu_ps(p); }
  static QV load_q_tail(const float* p, size_t n) {
    return _mm256_maskload_ps(p, avx2_tail_mask(n));
  }
  static GV load_g(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static GV load_g_tail(const uint16_t* p, size_t n) {
    alignas(16) uint16_t tmp[8] = {};
    std::memcpy(tmp, p, n * sizeof(uint16_t));
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp)));
  }
  static Acc madd(QV a, GV b, Acc c) { return _mm256_fmadd_ps(a, b, c); }
  static S reduce(Acc v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
  }
};

}  // namespace

void dot_block_f16_avx2(const float* q, size_t nq, const uint16_t* g, size_t ng, size_t dim, float* s, size_t lds) {
  stored_block_impl<F16Avx2>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
