// AVX-512 dot-product block: 4 query rows x 6 gallery rows of zmm accumulators
// (24 + 4 query vectors + 1 gallery vector of 32 registers); tails use masked loads. From
// kPackedMinRows query rows it hands over to the packed GEMM (dot_block_packed_avx512.cc).
#include <immintrin.h>

#include "dot_block_impl.h"
#include "facecore/similarity.h"

namespace facecore::detail {
namespace {

struct Avx512 {
  using V = __m512;
  static constexpr size_t kWidth = 16;
  static constexpr size_t kMR = 4, kNR = 6;
  // The strip that also sums |g|^2: 2 x 6 dots + 6 norms + 2 + 1 registers. Six gallery
  // streams (not four) keep enough loads in flight to run at memory bandwidth when q = 1.
  static constexpr size_t kMRNorms = 2, kNRNorms = 6;
  static constexpr bool kPrefetch = true;
  static void prefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load_tail(const float* p, size_t n) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
  }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  // out[i] = sum of the lanes of vector i: fold 512 -> 256 bits, then a hadd tree.
  static void reduce4(V a, V b, V c, V d, float* out) {
    const __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    const __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm512_extractf32x8_ps(b, 1));
    const __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
    const __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm512_extractf32x8_ps(d, 1));
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1)));
  }
};

}  // namespace

// From about this many query rows the packed GEMM (dot_block_packed_avx512.cc) wins: its
// packing costs one pass over the block, its micro-kernel needs no horizontal reductions.
// Fewer rows stay on the streaming kernel, which runs at memory bandwidth (measured
// crossover ~20 rows in topk at d = 512; the path depends on nq only, so all blocks of a call agree).
constexpr size_t kPackedMinRows = 24;

void dot_block_avx512(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s, size_t lds,
                      float* gsq) {
  if (nq >= kPackedMinRows) return dot_block_packed_avx512(q, nq, g, ng, dim, s, lds, gsq);
  dot_block_impl<Avx512>(q, nq, g, ng, dim, s, lds, gsq);
}

size_t first_above_avx512(const float* s, size_t n, float threshold) {
  const __m512 t = _mm512_set1_ps(threshold);
  size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const __mmask16 m = _mm512_cmp_ps_mask(_mm512_loadu_ps(s + j), t, _CMP_GT_OQ);
    if (m) return j + __builtin_ctz(m);
  }
  if (j < n) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - j)) - 1);
    const __mmask16 m = _mm512_mask_cmp_ps_mask(tail, _mm512_maskz_loadu_ps(tail, s + j), t, _CMP_GT_OQ);
    if (m) return j + __builtin_ctz(m);
  }
  return n;
}

}  // namespace facecore::detail
