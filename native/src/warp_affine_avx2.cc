// AVX2 + FMA warp-affine rows: 8 destination pixels per step (see warp_affine_simd.h).
#include <immintrin.h>

#include <cstring>

#include "warp_affine_simd.h"

namespace facecore::detail {
namespace {

struct Avx2 {
  using VF = __m256;
  using VI = __m256i;
  static constexpr int kLanes = 8;
  struct Limits {
    __m256d xlo, xhi, ylo, yhi, iota0, iota4;
  };
  static Limits limits(int width, int height) {
    return {_mm256_set1_pd(-2.0), _mm256_set1_pd(width + 1.0), _mm256_set1_pd(-2.0), _mm256_set1_pd(height + 1.0),
            _mm256_set_pd(3, 2, 1, 0), _mm256_set_pd(7, 6, 5, 4)};
  }
  template <bool kClamp>
  static void coords(double m0, double bx, double m3, double by, int x, const Limits& l, VI* ix, VI* iy, VF* fx,
                     VF* fy) {
    const __m256d x0 = _mm256_add_pd(_mm256_set1_pd(x), l.iota0), x1 = _mm256_add_pd(_mm256_set1_pd(x), l.iota4);
    const __m256d a0 = _mm256_set1_pd(m0), a3 = _mm256_set1_pd(m3), vbx = _mm256_set1_pd(bx), vby = _mm256_set1_pd(by);
    auto clamp = [](__m256d v, __m256d lo, __m256d hi) {
      return kClamp ? _mm256_min_pd(_mm256_max_pd(v, lo), hi) : v;
    };
    const __m256d sx0 = clamp(_mm256_fmadd_pd(a0, x0, vbx), l.xlo, l.xhi);
    const __m256d sx1 = clamp(_mm256_fmadd_pd(a0, x1, vbx), l.xlo, l.xhi);
    const __m256d sy0 = clamp(_mm256_fmadd_pd(a3, x0, vby), l.ylo, l.yhi);
    const __m256d sy1 = clamp(_mm256_fmadd_pd(a3, x1, vby), l.ylo, l.yhi);
    const __m256d fx0 = _mm256_floor_pd(sx0), fx1 = _mm256_floor_pd(sx1);
    const __m256d fy0 = _mm256_floor_pd(sy0), fy1 = _mm256_floor_pd(sy1);
    *ix = _mm256_set_m128i(_mm256_cvttpd_epi32(fx1), _mm256_cvttpd_epi32(fx0));
    *iy = _mm256_set_m128i(_mm256_cvttpd_epi32(fy1), _mm256_cvttpd_epi32(fy0));
    *fx = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_sub_pd(sx1, fx1)), _mm256_cvtpd_ps(_mm256_sub_pd(sx0, fx0)));
    *fy = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_sub_pd(sy1, fy1)), _mm256_cvtpd_ps(_mm256_sub_pd(sy0, fy0)));
  }
  static VI clamp(VI v, VI lo, VI hi) { return _mm256_max_epi32(_mm256_min_epi32(v, hi), lo); }
  // 0 <= v <= max as a lane mask: negative v is huge unsigned, so min_epu32 differs from it.
  static VI in_range(VI v, VI max) { return _mm256_cmpeq_epi32(_mm256_min_epu32(v, max), v); }
  static VI both(VI a, VI b) { return _mm256_and_si256(a, b); }
  static bool any_greater(VI v, VI max) { return !_mm256_testz_si256(_mm256_cmpgt_epi32(v, max), _mm256_cmpgt_epi32(v, max)); }
  static bool all(VI m) { return _mm256_movemask_epi8(m) == -1; }
  static VI gather_or(VI fallback, VI m, const uint8_t* base, VI off) {
    return _mm256_mask_i32gather_epi32(fallback, reinterpret_cast<const int*>(base), off, m, 1);
  }
  static VF set1(float v) { return _mm256_set1_ps(v); }
  static VI set1i(int v) { return _mm256_set1_epi32(v); }
  static VI add(VI a, VI b) { return _mm256_add_epi32(a, b); }
  static VI mullo(VI a, VI b) { return _mm256_mullo_epi32(a, b); }
  static VI gather(const uint8_t* base, VI off) {
    return _mm256_i32gather_epi32(reinterpret_cast<const int*>(base), off, 1);
  }
  static VF channel(VI g, int k) {
    return _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g, 8 * k), _mm256_set1_epi32(0xff)));
  }
  // Pairs: 8-byte reads at each pixel's 2x2 top-left (see the AVX-512 version): pixels 0,1,4,5
  // into lo and 2,3,6,7 into hi. Plain loads, not gathers: Zen 3 issues three loads a cycle but
  // gathers slowly, and the offsets, once in memory, also address the prefetches.
  struct Pairs {
    __m256i lo, hi;
  };
  static Pairs load_pairs(const uint8_t* row, const int* off) {
    auto two = [row, off](int i, int j) {
      const __m128d first = _mm_castsi128_pd(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + off[i])));
      return _mm_castpd_si128(_mm_loadh_pd(first, reinterpret_cast<const double*>(row + off[j])));
    };
    return {_mm256_set_m128i(two(4, 5), two(0, 1)), _mm256_set_m128i(two(6, 7), two(2, 3))};
  }
  static void gather_rows(const uint8_t* base, size_t stride, VI o00, std::ptrdiff_t ahead, Pairs* r0, Pairs* r1) {
    alignas(32) int off[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(off), o00);
    prefetch_lines<8>(base, stride, off, ahead);
    *r0 = load_pairs(base, off);
    *r1 = load_pairs(base + stride, off);
  }
  template <int C>
  static void split(const Pairs& r, int k, VF* p0, VF* p1) {
    const char z = -1;
    const __m128i c = _mm_setr_epi8(static_cast<char>(k), z, z, z, static_cast<char>(8 + k), z, z, z,
                                    static_cast<char>(C + k), z, z, z, static_cast<char>(8 + C + k), z, z, z);
    const __m256i ctl = _mm256_broadcastsi128_si256(c);
    const __m256i lo = _mm256_shuffle_epi8(r.lo, ctl), hi = _mm256_shuffle_epi8(r.hi, ctl);
    *p0 = _mm256_cvtepi32_ps(_mm256_unpacklo_epi64(lo, hi));
    *p1 = _mm256_cvtepi32_ps(_mm256_unpackhi_epi64(lo, hi));
  }
  static VF sub(VF a, VF b) { return _mm256_sub_ps(a, b); }
  static VF fma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, VF v) { _mm256_storeu_ps(p, v); }
  static VI bytes(VF v) {
    return _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(v), _mm256_setzero_si256()), _mm256_set1_epi32(255));
  }
  static VI pack(VF r, VF g, VF b) {
    return _mm256_or_si256(bytes(r), _mm256_or_si256(_mm256_slli_epi32(bytes(g), 8), _mm256_slli_epi32(bytes(b), 16)));
  }
  static void store_u8_c1(uint8_t* p, VF v) {
    const __m256i w = _mm256_packus_epi16(_mm256_packus_epi32(bytes(v), bytes(v)), _mm256_setzero_si256());
    const int lo = _mm_cvtsi128_si32(_mm256_castsi256_si128(w)), hi = _mm_cvtsi128_si32(_mm256_extracti128_si256(w, 1));
    std::memcpy(p, &lo, 4);
    std::memcpy(p + 4, &hi, 4);
  }
  static void store_u8_c3(uint8_t* p, VF r, VF g, VF b) {
    // 8 pixels of [r g b 0] -> 24 bytes (see the AVX-512 version).
    const __m256i drop = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1, 0, 1, 2, 4, 5, 6, 8, 9,
                                          10, 12, 13, 14, -1, -1, -1, -1);
    const __m256i joined = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(pack(r, g, b), drop),
                                                       _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(joined));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p + 16), _mm256_extracti128_si256(joined, 1));
  }
  static void store_u8_c4(uint8_t* p, VF r, VF g, VF b, VF a) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_or_si256(pack(r, g, b), _mm256_slli_epi32(bytes(a), 24)));
  }
};

}  // namespace

void warp_row_avx2(const WarpRowArgs& a) { warp_row_simd<Avx2>(a); }

}  // namespace facecore::detail
