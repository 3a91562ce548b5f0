// AVX-512 VNNI int8 gallery block: 32 int8 codes sign-extended to int16 (vpmovsxbw), then
// vpdpwssd against the int16 query: 32 multiply-adds per instruction into int32 lanes,
// exact (the query range is chosen so the sum cannot overflow; see i16_query_max).
// vpdpwssd rather than vpdpbusd: the u8 x s8 form would need the query in 8 bits (too coarse
// for recall) or an offset correction per row; memory, not arithmetic, bounds this loop.
#include <immintrin.h>

#include "facecore/gallery_search.h"
#include "facecore/search_i8_wide.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct I8Avx512 {
  using Q = int16_t;
  using G = int8_t;
  using S = int32_t;
  using Acc = __m512i;
  using QV = __m512i;
  using GV = __m512i;
  static constexpr size_t kWidth = 32, kMR = 4, kNR = 6;
  static Acc zero() { return _mm512_setzero_si512(); }
  static __mmask32 mask(size_t n) { return static_cast<__mmask32>((1ull << n) - 1); }
  static QV load_q(const int16_t* p) { return _mm512_loadu_si512(p); }
  static QV load_q_tail(const int16_t* p, size_t n) { return _mm512_maskz_loadu_epi16(mask(n), p); }
  static GV load_g(const int8_t* p) {
    return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static GV load_g_tail(const int8_t* p, size_t n) { return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask(n), p)); }
  // Inline asm rather than _mm512_dpwssd_epi32: with the intrinsic GCC 12 copied each of the
  // 24 accumulators through the stack on every step of the 4 x 6 kernel.
  static Acc madd(QV a, GV b, Acc c) {
    asm("vpdpwssd %2, %1, %0" : "+v"(c) : "v"(a), "v"(b));
    return c;
  }
  static S reduce(Acc v) { return _mm512_reduce_add_epi32(v); }
  static Acc add(Acc a, Acc b) { return _mm512_add_epi32(a, b); }
};

// The same products with the gallery block already widened to int16 (search_i8_wide.h): for
// many queries each row is sign-extended once per block instead of once per query strip.
struct I16Avx512 : I8Avx512 {
  using G = int16_t;
  static GV load_g(const int16_t* p) { return _mm512_loadu_si512(p); }
  static GV load_g_tail(const int16_t* p, size_t n) { return _mm512_maskz_loadu_epi16(mask(n), p); }
};

}  // namespace

void dot_block_i8_avx512(const int16_t* q, size_t nq, const int8_t* g, size_t ng, size_t dim, int32_t* s,
                         size_t lds) {
  if (nq == 1) return stored_rows_one_query<I8Avx512>(q, g, ng, dim, s);
  stored_block_impl<I8Avx512>(q, nq, g, ng, dim, s, lds);
}

// The whole block per query strip, as before the wide path moved to StoredTiles: whether
// panels pay here too (as on AVX2) is not measured on an AVX-512 machine yet.
void dot_wide_i8_avx512(const int16_t* q, size_t nq, const int16_t* wide, size_t ng, size_t stride, int32_t* s,
                        size_t lds) {
  stored_block_impl<I16Avx512>(q, nq, wide, ng, stride, s, lds);
}

}  // namespace facecore::detail
