// AVX2 int8 gallery block: 16 codes sign-extended to int16 (vpmovsxbw), vpmaddwd against the
// int16 query and an int32 add: exact, 16 multiply-adds per pair of instructions.
#include <immintrin.h>

#include <cstring>

#include "facecore/gallery_search.h"
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
  static Acc madd(QV a, GV b, Acc c) { return _mm256_add_epi32(c, _mm256_madd_epi16(a, b)); }
  static S reduce(Acc v) {
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4e));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xb1));
    return _mm_cvtsi128_si32(x);
  }
};

}  // namespace

void dot_block_i8_avx2(const int16_t* q, size_t nq, const int8_t* g, size_t ng, size_t dim, int32_t* s, size_t lds) {
  stored_block_impl<I8Avx2>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
