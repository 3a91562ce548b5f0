// AVX-512 margin pieces: gemm block of 6 rows x 4 zmm columns (24 accumulators + 4 columns
// of b + 1 broadcast of 32 registers); tails use masked loads and stores.
#include <immintrin.h>

#include "margin_ops_impl.h"

namespace facecore::detail {
namespace {

struct Avx512 {
  using V = __m512;
  static constexpr size_t kWidth = 16;
  static constexpr int kMR = 6, kNV = 4;
  static __mmask16 mask(size_t n) { return static_cast<__mmask16>((1u << n) - 1); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load_tail(const float* p, size_t n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store_tail(float* p, V v, size_t n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static float reduce(V v) { return _mm512_reduce_add_ps(v); }
  static float reduce_max(V v) { return _mm512_reduce_max_ps(v); }
};

}  // namespace

const MarginOps& margin_ops_avx512() { return margin_ops_for<Avx512>(); }

}  // namespace facecore::detail
