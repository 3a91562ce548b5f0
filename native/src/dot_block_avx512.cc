// AVX-512 dot-product block: 4 query rows x 6 gallery rows of zmm accumulators
// (24 + 4 query vectors + 1 gallery vector of 32 registers); tails use masked loads.
#include <immintrin.h>

#include "dot_block_impl.h"
#include "facecore/similarity.h"

namespace facecore::detail {
namespace {

struct Avx512 {
  using V = __m512;
  static constexpr size_t kWidth = 16;
  static constexpr size_t kMR = 4, kNR = 6, kNRNorms = 4;  // with norms: 16 + 4 + 4 + 1 registers
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load_tail(const float* p, size_t n) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
  }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static float reduce(V v) { return _mm512_reduce_add_ps(v); }
};

}  // namespace

void dot_block_avx512(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s, size_t lds,
                      float* gsq) {
  dot_block_impl<Avx512>(q, nq, g, ng, dim, s, lds, gsq);
}

}  // namespace facecore::detail
