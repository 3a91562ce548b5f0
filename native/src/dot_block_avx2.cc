// AVX2 + FMA dot-product block: 3 query rows x 4 gallery rows of ymm accumulators
// (12 + 3 + 1 = 16 registers); tails use vmaskmovps. From kPackedMinRows query rows it hands
// over to the packed GEMM (dot_block_packed_avx2.cc).
#include <immintrin.h>

#include "avx2_tail.h"

#include "dot_block_impl.h"
#include "facecore/similarity.h"

namespace facecore::detail {
namespace {

struct Avx2 {
  using V = __m256;
  static constexpr size_t kWidth = 8;
  static constexpr size_t kMR = 3, kNR = 4;
  static constexpr size_t kMRNorms = 2, kNRNorms = 4;  // with norms: 8 + 4 + 2 + 1 registers
  static constexpr bool kPrefetch = false;
  static void prefetch(const float*) {}
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load_tail(const float* p, size_t n) {
    const __m256i mask = avx2_tail_mask(n);
    return _mm256_maskload_ps(p, mask);
  }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  // out[i] = sum of the lanes of vector i, by a hadd tree.
  static void reduce4(V a, V b, V c, V d, float* out) {
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1)));
  }
};

}  // namespace

// From about this many query rows the packed GEMM wins: its packing costs one pass over the
// block, its micro-kernel needs no horizontal reductions. Fewer rows stay on the streaming
// kernel, which runs at memory bandwidth. The path depends on nq only, so all blocks of a
// call agree.
constexpr size_t kPackedMinRows = 24;

void dot_block_avx2(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s, size_t lds,
                    float* gsq) {
  if (nq >= kPackedMinRows) return dot_block_packed_avx2(q, nq, g, ng, dim, s, lds, gsq);
  dot_block_impl<Avx2>(q, nq, g, ng, dim, s, lds, gsq);
}

size_t first_above_avx2(const float* s, size_t n, float threshold) {
  const __m256 t = _mm256_set1_ps(threshold);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const int m = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s + j), t, _CMP_GT_OQ));
    if (m) return j + __builtin_ctz(m);
  }
  for (; j < n; ++j)
    if (s[j] > threshold) return j;
  return n;
}

}  // namespace facecore::detail
