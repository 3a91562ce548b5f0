// The SIMD bilinear row kernel, written once over a traits type and instantiated by
// warp_affine_avx2.cc (8 pixels per step) and warp_affine_avx512.cc (16). Included only there.
//
// Per step of L destination pixels: source coordinates in float64 (a float32 coordinate near
// x = 2000 is off by up to 1e-4 px, which a sharp edge turns into 0.03 grey: too much for the
// 1e-4 normalised-output bound), then int32 byte offsets and float32 fractions; one 4-byte gather
// per corner brings all of a pixel's channels (RGB(A) or grey + neighbours' bytes, ignored), and
// the 2x2 blend runs in float32 with FMA. Neighbours outside the image are clamped to the edge
// ('replicate') or masked out of the gather, which then yields the border value ('constant').
// The row's tail (width not a multiple of the step) goes through the per-pixel path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "facecore/warp_affine.h"
#include "warp_affine_pixel.h"

namespace facecore::detail {
namespace {

// Shrinking warps step over a new source cache line per pixel, along diagonals hardware
// prefetchers do not follow: T::gather_rows prefetches the lines row y + kAhead will read (this
// row's offsets shifted by kAhead rows of the inverse map). Returns that shift in bytes, or 0 (no
// prefetch) if it does not fit an int. Even at scale 1 it pays: a rotated row walks across
// source rows, which the hardware does not follow either.
inline std::ptrdiff_t prefetch_ahead(const double* m, size_t stride, int c) {
  constexpr int kAhead = 2;
  const double ahead = std::floor(kAhead * m[4] + 0.5) * stride + std::floor(kAhead * m[1] + 0.5) * c;
  return std::fabs(ahead) < (1 << 28) ? static_cast<std::ptrdiff_t>(ahead) : 0;
}

// Prefetches both rows of L pixels' 2x2 neighbourhoods `ahead` bytes on (0: none). A prefetch
// never faults, so lines past the image are harmless.
template <int L>
inline void prefetch_lines(const uint8_t* base, size_t stride, const int* off, std::ptrdiff_t ahead) {
  if (ahead == 0) return;
  const uintptr_t top = reinterpret_cast<uintptr_t>(base) + ahead, bottom = top + stride;
  for (int j = 0; j < L; ++j) {
    __builtin_prefetch(reinterpret_cast<const void*>(top + off[j]));
    __builtin_prefetch(reinterpret_cast<const void*>(bottom + off[j]));
  }
}

// Whether destination pixels [0, n) of row y all have their 2x2 neighbourhood inside the image
// and 8-byte reads at offsets <= max_pair. Coordinates are affine in x, so the ends bound them;
// the margin absorbs the last-bit differences between this sum and the SIMD one.
inline bool row_inside(const WarpImage& img, const double* m, int y, int n, int max_pair) {
  if (n <= 0) return false;
  constexpr double kMargin = 1e-6;
  const double bx = m[1] * y + m[2], by = m[4] * y + m[5];
  const double ex = m[0] * (n - 1) + bx, ey = m[3] * (n - 1) + by;
  const double xlo = std::min(bx, ex), xhi = std::max(bx, ex), ylo = std::min(by, ey), yhi = std::max(by, ey);
  if (!(xlo >= kMargin && ylo >= kMargin && xhi <= img.width - 1 - kMargin && yhi <= img.height - 1 - kMargin))
    return false;
  return (std::floor(yhi) + 1) * img.stride + std::floor(xhi) * img.channels <= max_pair;
}

// One row, specialised by image channels C and output kind so that channel loops unroll and
// every vector stays in a register.
template <class T, int C, bool U8>
void warp_row_simd_c(const WarpRowArgs& a) {
  using VF = typename T::VF;
  using VI = typename T::VI;
  constexpr int L = T::kLanes;
  constexpr int kUsed = U8 ? C : (C == 1 ? 1 : 3);  // source channels the output needs
  const WarpImage& img = *a.img;
  const WarpParams& p = *a.p;
  const int w = p.out_width;
  const double* m = a.m;
  const double bx = m[1] * a.y + m[2], by = m[4] * a.y + m[5];
  const typename T::Limits lim = T::limits(img.width, img.height);
  const VI one = T::set1i(1), zero = T::set1i(0), wmax = T::set1i(img.width - 1), hmax = T::set1i(img.height - 1);
  const VI wmax1 = T::set1i(img.width - 2), hmax1 = T::set1i(img.height - 2);
  const VI vstride = T::set1i(static_cast<int>(img.stride)), vc = T::set1i(C), maxoff = T::set1i(a.max_offset);
  const VI maxoff_pair = T::set1i(a.max_offset - 4);  // pair reads are 8 bytes
  // Outside neighbours (border 'constant') read as this pixel: the border value in each channel byte.
  uint32_t bpix = 0;
  for (int k = 0; k < C; ++k) bpix |= static_cast<uint32_t>(p.border_value[k]) << (8 * k);
  const VI border = T::set1i(static_cast<int>(bpix));
  const bool replicate = p.border == WarpBorder::kReplicate;
  const bool swap = p.bgr && C >= 3;
  const uint8_t* base = img.data;
  VF scale[3], bias[3];
  for (int k = 0; k < 3; ++k) {
    scale[k] = T::set1(a.scale[k]);
    bias[k] = T::set1(a.bias[k]);
  }
  const std::ptrdiff_t ahead = prefetch_ahead(m, img.stride, C);
  const size_t stride = img.stride;
  int x = 0;
  // kInside: every 2x2 neighbourhood of the row's SIMD steps lies inside the image and its reads
  // inside the data (most rows of a face crop), so the steps skip the clamps and border tests.
  const auto steps = [&](auto inside_tag) {
    constexpr bool kInside = decltype(inside_tag)::value;
    for (; x + L <= w; x += L) {
      VI x0, y0;
      VF fx, fy;
      T::template coords<!kInside>(m[0], bx, m[3], by, x, lim, &x0, &y0, &fx, &fy);
      VF v[kUsed];
      if (kInside || T::all(T::both(T::in_range(x0, wmax1), T::in_range(y0, hmax1)))) {
        // Every 2x2 neighbourhood inside the image (the common case): one 8-byte read per pixel and
        // row brings both horizontal neighbours, half the gathered elements of 4-byte reads.
        const VI o00 = T::add(T::mullo(y0, vstride), T::mullo(x0, vc));
        const VI o10 = T::add(o00, vstride);
        // An 8-byte read would pass the end of data (no slack): per pixel.
        if (!kInside && T::any_greater(o10, maxoff_pair)) {
          warp_pixels(a, x, x + L);
          continue;
        }
        typename T::Pairs r0, r1;
        T::gather_rows(base, stride, o00, ahead, &r0, &r1);
        for (int k = 0; k < kUsed; ++k) {
          VF p00, p01, p10, p11;
          T::template split<C>(r0, k, &p00, &p01);
          T::template split<C>(r1, k, &p10, &p11);
          const VF top = T::fma(fx, T::sub(p01, p00), p00), bot = T::fma(fx, T::sub(p11, p10), p10);
          v[k] = T::fma(fy, T::sub(bot, top), top);
        }
      } else {
        // Neighbour addresses clamped into the image: exactly 'replicate', and always safe to read.
        VI g00, g01, g10, g11;
        const VI x1 = T::add(x0, one), y1 = T::add(y0, one);
        const VI c0 = T::mullo(T::clamp(x0, zero, wmax), vc), c1 = T::mullo(T::clamp(x1, zero, wmax), vc);
        const VI r0 = T::mullo(T::clamp(y0, zero, hmax), vstride), r1 = T::mullo(T::clamp(y1, zero, hmax), vstride);
        const VI o00 = T::add(r0, c0), o01 = T::add(r0, c1), o10 = T::add(r1, c0), o11 = T::add(r1, c1);
        if (T::any_greater(o11, maxoff)) {  // a 4-byte read would pass the end of data (no slack)
          warp_pixels(a, x, x + L);
          continue;
        }
        if (replicate) {
          g00 = T::gather(base, o00), g01 = T::gather(base, o01);
          g10 = T::gather(base, o10), g11 = T::gather(base, o11);
        } else {
          const auto ix0 = T::in_range(x0, wmax), ix1 = T::in_range(x1, wmax);
          const auto iy0 = T::in_range(y0, hmax), iy1 = T::in_range(y1, hmax);
          g00 = T::gather_or(border, T::both(ix0, iy0), base, o00);
          g01 = T::gather_or(border, T::both(ix1, iy0), base, o01);
          g10 = T::gather_or(border, T::both(ix0, iy1), base, o10);
          g11 = T::gather_or(border, T::both(ix1, iy1), base, o11);
        }
        for (int k = 0; k < kUsed; ++k) {
          const VF p00 = T::channel(g00, k), p01 = T::channel(g01, k);
          const VF p10 = T::channel(g10, k), p11 = T::channel(g11, k);
          const VF top = T::fma(fx, T::sub(p01, p00), p00), bot = T::fma(fx, T::sub(p11, p10), p10);
          v[k] = T::fma(fy, T::sub(bot, top), top);
        }
      }
      if constexpr (!U8) {
        for (int k = 0; k < 3; ++k) {
          const VF vk = C == 1 ? v[0] : v[swap ? 2 - k : k];
          T::store(a.out_f32[k] + x, T::fma(vk, scale[k], bias[k]));
        }
      } else if constexpr (C == 1) {
        T::store_u8_c1(a.out_u8 + x, v[0]);
      } else if constexpr (C == 3) {
        T::store_u8_c3(a.out_u8 + 3 * x, v[swap ? 2 : 0], v[1], v[swap ? 0 : 2]);
      } else {
        T::store_u8_c4(a.out_u8 + 4 * x, v[swap ? 2 : 0], v[1], v[swap ? 0 : 2], v[3]);
      }
    }
  };
  if (row_inside(img, m, a.y, w - w % L, a.max_offset - 4))
    steps(std::true_type{});
  else
    steps(std::false_type{});
  warp_pixels(a, x, w);
}

template <class T>
void warp_row_simd(const WarpRowArgs& a) {
  if (!a.fast_ok) return warp_pixels(a, 0, a.p->out_width);
  const bool u8 = a.p->output == WarpOutput::kUint8;
  switch (a.img->channels) {
    case 1: return u8 ? warp_row_simd_c<T, 1, true>(a) : warp_row_simd_c<T, 1, false>(a);
    case 3: return u8 ? warp_row_simd_c<T, 3, true>(a) : warp_row_simd_c<T, 3, false>(a);
    default: return u8 ? warp_row_simd_c<T, 4, true>(a) : warp_row_simd_c<T, 4, false>(a);
  }
}

}  // namespace
}  // namespace facecore::detail
