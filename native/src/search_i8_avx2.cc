// AVX2 int8 gallery block: 16 codes sign-extended to int16 (vpmovsxbw), vpmaddwd against the
// int16 query and an int32 add: exact, 16 multiply-adds per pair of instructions.
#include <immintrin.h>

#include <cstring>

#include "facecore/gallery_search.h"
#include "facecore/search_i8_wide.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct I8Avx2 {
  using Q = int16_t;
  using G = int8_t;
  using S = int32_t;
  using Acc = __m256i;
  using QV = __m256i;
  using GV = __m256i;
  static constexpr size_t kWidth = 16, kMR = 2, kNR = 4;
  // Two k steps per loop trip: GCC then stops shuffling accumulators between registers each
  // step (k-NN graph of 20k int8 rows, 2 threads, median of 5: 2.08 -> 1.78 s).
  static constexpr int kUnrollK = 2;
  static Acc zero() { return _mm256_setzero_si256(); }
  static QV load_q(const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static QV load_q_tail(const int16_t* p, size_t n) {
    alignas(32) int16_t tmp[16] = {};
    std::memcpy(tmp, p, n * sizeof(int16_t));
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(tmp));
  }
  static GV load_g(const int8_t* p) { return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static GV load_g_tail(const int8_t* p, size_t n) {
    alignas(16) int8_t tmp[16] = {};
    std::memcpy(tmp, p, n);
    return _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp)));
  }
  // One asm statement for the pair: with the intrinsics GCC hoisted every product of a step
  // above the first add, one register each, and spilled accumulators (3 x 4); at 2 x 4 the
  // pair is ~4% faster too (52 -> 54 GMAC/s per thread on one L2-resident tile, loaded Zen 3).
  static Acc madd(QV a, GV b, Acc c) {
    __m256i t;
    asm("vpmaddwd %[b], %[a], %[t]\n\tvpaddd %[t], %[c], %[c]" : [c] "+x"(c), [t] "=&x"(t) : [a] "x"(a), [b] "xm"(b));
    return c;
  }
  static S reduce(Acc v) {
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4e));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xb1));
    return _mm_cvtsi128_si32(x);
  }
};

// The block widened to int16 (search_i8_wide.h): plain loads instead of a vpmovsxbw per
// gallery vector per query strip, 3 x 3 accumulators (3 x 4 spilled with GCC 12), taken in
// panels of 24 rows (stored_panels_impl). Same rate as the int8 kernel on one L2-resident tile
// (~54 GMAC/s per thread, loaded Zen 3); in the 20k self-join ~13% less CPU time (3.0-3.2 vs
// 3.3-3.9 CPU s, 4 interleaved rounds), from reading each block row once per tile, not per strip.
struct I16Avx2 : I8Avx2 {
  using G = int16_t;
  static constexpr size_t kMR = 3, kNR = 3;
  static GV load_g(const int16_t* p) { return load_q(p); }
  static GV load_g_tail(const int16_t* p, size_t n) { return load_q_tail(p, n); }
};
constexpr size_t kPanelRows = 24;

}  // namespace

void dot_wide_i8_avx2(const int16_t* q, size_t nq, const int16_t* wide, size_t ng, size_t stride, int32_t* s,
                      size_t lds) {
  stored_panels_impl<I16Avx2, kPanelRows>(q, nq, wide, ng, stride, s, lds);
}

void dot_block_i8_avx2(const int16_t* q, size_t nq, const int8_t* g, size_t ng, size_t dim, int32_t* s, size_t lds) {
  stored_block_impl<I8Avx2>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
