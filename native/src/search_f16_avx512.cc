// AVX-512 float16 gallery block: 16 halves per vcvtph2ps, FMA into 2 x 12 zmm accumulators:
// twelve row streams in flight when few queries scan the rows from memory (Q = 1, 1M rows:
// 22-24 -> 20-22 ms; many queries widen each block to float32 instead, see gallery_search.cc).
#include <immintrin.h>

#include "facecore/gallery_search.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct F16Avx512 {
  using Q = float;
  using G = uint16_t;
  using S = float;
  using Acc = __m512;
  using QV = __m512;
  using GV = __m512;
  static constexpr size_t kWidth = 16, kMR = 2, kNR = 12;
  static Acc zero() { return _mm512_setzero_ps(); }
  static __mmask16 mask(size_t n) { return static_cast<__mmask16>((1u << n) - 1); }
  static QV load_q(const float* p) { return _mm512_loadu_ps(p); }
  static QV load_q_tail(const float* p, size_t n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static GV load_g(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static GV load_g_tail(const uint16_t* p, size_t n) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask(n), p)); }
  static Acc madd(QV a, GV b, Acc c) { return _mm512_fmadd_ps(a, b, c); }
  static S reduce(Acc v) { return _mm512_reduce_add_ps(v); }
  static Acc add(Acc a, Acc b) { return _mm512_add_ps(a, b); }
};

}  // namespace

void dot_block_f16_avx512(const float* q, size_t nq, const uint16_t* g, size_t ng, size_t dim, float* s, size_t lds) {
  if (nq == 1) return stored_rows_one_query<F16Avx512>(q, g, ng, dim, s);
  stored_block_impl<F16Avx512>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
