// AVX2 + FMA margin pieces: gemm block of 4 rows x 3 ymm columns (12 accumulators + 3 columns
// of b + 1 broadcast of 16 registers); tails use vmaskmovps.
#include <immintrin.h>

#include "avx2_tail.h"

#include "margin_ops_impl.h"

namespace facecore::detail {
namespace {

struct Avx2 {
  using V = __m256;
  static constexpr size_t kWidth = 8;
  static constexpr int kMR = 4, kNV = 3;
  static __m256i mask(size_t n) { return avx2_tail_mask(n); }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load_tail(const float* p, size_t n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store_tail(float* p, V v, size_t n) { _mm256_maskstore_ps(p, mask(n), v); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static float reduce(V v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
  }
  static float reduce_max(V v) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    x = _mm_max_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
  }
};

}  // namespace

const MarginOps& margin_ops_avx2() { return margin_ops_for<Avx2>(); }

}  // namespace facecore::detail
