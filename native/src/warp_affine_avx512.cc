// AVX-512 warp-affine rows: 16 destination pixels per step (see warp_affine_simd.h).
#include <immintrin.h>

#include "warp_affine_simd.h"

namespace facecore::detail {
namespace {

struct Avx512 {
  using VF = __m512;
  using VI = __m512i;
  static constexpr int kLanes = 16;
  struct Limits {
    __m512d xlo, xhi, ylo, yhi, iota0, iota8;
  };
  static Limits limits(int width, int height) {
    return {_mm512_set1_pd(-2.0), _mm512_set1_pd(width + 1.0), _mm512_set1_pd(-2.0), _mm512_set1_pd(height + 1.0),
            _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0), _mm512_set_pd(15, 14, 13, 12, 11, 10, 9, 8)};
  }
  // Floors and fractions of 16 source coordinates, clamped to [-2, size + 1] first (as the
  // per-pixel path: same answers, safe int conversion; max_pd maps NaN to the bound) unless the
  // caller knows them inside the image (kClamp false).
  template <bool kClamp>
  static void coords(double m0, double bx, double m3, double by, int x, const Limits& l, VI* ix, VI* iy, VF* fx,
                     VF* fy) {
    const __m512d x0 = _mm512_add_pd(_mm512_set1_pd(x), l.iota0), x1 = _mm512_add_pd(_mm512_set1_pd(x), l.iota8);
    const __m512d a0 = _mm512_set1_pd(m0), a3 = _mm512_set1_pd(m3), vbx = _mm512_set1_pd(bx), vby = _mm512_set1_pd(by);
    auto clamp = [](__m512d v, __m512d lo, __m512d hi) {
      return kClamp ? _mm512_min_pd(_mm512_max_pd(v, lo), hi) : v;
    };
    const __m512d sx0 = clamp(_mm512_fmadd_pd(a0, x0, vbx), l.xlo, l.xhi);
    const __m512d sx1 = clamp(_mm512_fmadd_pd(a0, x1, vbx), l.xlo, l.xhi);
    const __m512d sy0 = clamp(_mm512_fmadd_pd(a3, x0, vby), l.ylo, l.yhi);
    const __m512d sy1 = clamp(_mm512_fmadd_pd(a3, x1, vby), l.ylo, l.yhi);
    const __m512d fx0 = _mm512_roundscale_pd(sx0, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d fx1 = _mm512_roundscale_pd(sx1, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d fy0 = _mm512_roundscale_pd(sy0, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d fy1 = _mm512_roundscale_pd(sy1, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    *ix = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvttpd_epi32(fx0)), _mm512_cvttpd_epi32(fx1), 1);
    *iy = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvttpd_epi32(fy0)), _mm512_cvttpd_epi32(fy1), 1);
    *fx = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(_mm512_sub_pd(sx0, fx0))),
                             _mm512_cvtpd_ps(_mm512_sub_pd(sx1, fx1)), 1);
    *fy = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(_mm512_sub_pd(sy0, fy0))),
                             _mm512_cvtpd_ps(_mm512_sub_pd(sy1, fy1)), 1);
  }
  static VI clamp(VI v, VI lo, VI hi) { return _mm512_max_epi32(_mm512_min_epi32(v, hi), lo); }
  static __mmask16 in_range(VI v, VI max) { return _mm512_cmple_epu32_mask(v, max); }  // 0 <= v <= max
  static __mmask16 both(__mmask16 a, __mmask16 b) { return a & b; }
  static bool any_greater(VI v, VI max) { return _mm512_cmpgt_epi32_mask(v, max) != 0; }
  static bool all(__mmask16 m) { return m == 0xffff; }
  static VI gather_or(VI fallback, __mmask16 m, const uint8_t* base, VI off) {
    return _mm512_mask_i32gather_epi32(fallback, m, off, base, 1);
  }
  static VF set1(float v) { return _mm512_set1_ps(v); }
  static VI set1i(int v) { return _mm512_set1_epi32(v); }
  static VI add(VI a, VI b) { return _mm512_add_epi32(a, b); }
  static VI mullo(VI a, VI b) { return _mm512_mullo_epi32(a, b); }
  static VI gather(const uint8_t* base, VI off) { return _mm512_i32gather_epi32(off, base, 1); }
  static VF channel(VI g, int k) {
    return _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(g, 8 * k), _mm512_set1_epi32(0xff)));
  }
  // Pairs: 8-byte reads at each pixel's 2x2 top-left (this row) -> bytes of the left and right
  // neighbour. Pixels go 0,1,4,5,8,9,12,13 into lo and 2,3,6,7,... into hi so that unpacking
  // 64-bit halves per 128-bit lane in split() restores pixel order with no cross-lane permute.
  struct Pairs {
    __m512i lo, hi;
  };
  static Pairs gather_pairs(const uint8_t* base, VI off) {
    const __m512i order = _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    const __m512i o = _mm512_permutexvar_epi32(order, off);
    return {_mm512_i32gather_epi64(_mm512_castsi512_si256(o), base, 1),
            _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(o, 1), base, 1)};
  }
  static void gather_rows(const uint8_t* base, size_t stride, VI o00, std::ptrdiff_t ahead, Pairs* r0, Pairs* r1) {
    alignas(64) int off[16];
    _mm512_store_si512(off, o00);
    prefetch_lines<16>(base, stride, off, ahead);
    *r0 = gather_pairs(base, o00);
    *r1 = gather_pairs(base + stride, o00);
  }
  // Channel k of the left (p0) and right (p1) neighbours of 16 pixels, as floats.
  template <int C>
  static void split(const Pairs& r, int k, VF* p0, VF* p1) {
    // Per 128-bit lane (pixels a, b): dwords [left a, left b, right a, right b], zero-extended bytes.
    const char z = -1;
    const __m512i ctl = _mm512_broadcast_i32x4(_mm_setr_epi8(
        static_cast<char>(k), z, z, z, static_cast<char>(8 + k), z, z, z, static_cast<char>(C + k), z, z, z,
        static_cast<char>(8 + C + k), z, z, z));
    const __m512i lo = _mm512_shuffle_epi8(r.lo, ctl), hi = _mm512_shuffle_epi8(r.hi, ctl);
    *p0 = _mm512_cvtepi32_ps(_mm512_unpacklo_epi64(lo, hi));
    *p1 = _mm512_cvtepi32_ps(_mm512_unpackhi_epi64(lo, hi));
  }
  static VF sub(VF a, VF b) { return _mm512_sub_ps(a, b); }
  static VF fma(VF a, VF b, VF c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, VF v) { _mm512_storeu_ps(p, v); }
  // Rounded to nearest (ties to even, as OpenCV's saturate_cast) and clamped to [0, 255].
  static VI bytes(VF v) {
    return _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(v), _mm512_setzero_si512()), _mm512_set1_epi32(255));
  }
  static VI pack(VF r, VF g, VF b) {
    return _mm512_or_si512(bytes(r), _mm512_or_si512(_mm512_slli_epi32(bytes(g), 8), _mm512_slli_epi32(bytes(b), 16)));
  }
  static void store_u8_c1(uint8_t* p, VF v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(bytes(v))); }
  static void store_u8_c3(uint8_t* p, VF r, VF g, VF b) {
    // 16 pixels of [r g b 0] -> 48 bytes: drop every 4th byte within each 128-bit lane, then
    // pull the lanes' 12-byte runs together.
    const __m512i drop = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1));
    const __m512i joined = _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15),
                                                    _mm512_shuffle_epi8(pack(r, g, b), drop));
    _mm512_mask_storeu_epi8(p, 0x0000FFFFFFFFFFFFull, joined);
  }
  static void store_u8_c4(uint8_t* p, VF r, VF g, VF b, VF a) {
    _mm512_storeu_si512(p, _mm512_or_si512(pack(r, g, b), _mm512_slli_epi32(bytes(a), 24)));
  }
};

}  // namespace

void warp_row_avx512(const WarpRowArgs& a) { warp_row_simd<Avx512>(a); }

}  // namespace facecore::detail
