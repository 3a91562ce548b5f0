// AVX-512 float16 gallery block: 16 halves per vcvtph2ps, FMA into 2 x 12 zmm accumulators:
// twelve row streams in flight when few queries scan the rows from memory (Q = 1, 1M rows:
// 22-24 -> 20-22 ms; many queries widen each block to float32 instead, see index_search.cc).
#include <immintrin.h>

#include "facecore/index_search.h"
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
};

// How far ahead of the row being read the one-query scan prefetches.
constexpr size_t kPrefetchBytes = 4096;

// One query: the rows in memory order, one at a time, four accumulators per row, so the scan
// is a single sequential stream (what the hardware prefetchers follow best) plus a prefetch ahead.
void dot_rows_f16_one_query(const float* q, const uint16_t* g, size_t ng, size_t dim, float* s) {
  const size_t full = dim / 16 * 16, rest = dim - full;
  constexpr size_t kAheadHalves = kPrefetchBytes / sizeof(uint16_t);
  for (size_t j = 0; j < ng; ++j) {
    const uint16_t* row = g + j * dim;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 64 <= full; k += 64) {
      __builtin_prefetch(row + k + kAheadHalves, 0, 3);
      __builtin_prefetch(row + k + kAheadHalves + 32, 0, 3);
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k), F16Avx512::load_g(row + k), a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k + 16), F16Avx512::load_g(row + k + 16), a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k + 32), F16Avx512::load_g(row + k + 32), a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k + 48), F16Avx512::load_g(row + k + 48), a3);
    }
    for (; k < full; k += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k), F16Avx512::load_g(row + k), a0);
    if (rest) a1 = _mm512_fmadd_ps(F16Avx512::load_q_tail(q + k, rest), F16Avx512::load_g_tail(row + k, rest), a1);
    s[j] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
  }
}

}  // namespace

void dot_block_f16_avx512(const float* q, size_t nq, const uint16_t* g, size_t ng, size_t dim, float* s, size_t lds) {
  if (nq == 1) return dot_rows_f16_one_query(q, g, ng, dim, s);
  stored_block_impl<F16Avx512>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
