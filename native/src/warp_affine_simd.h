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

#include "facecore/warp_affine.h"
#include "warp_affine_pixel.h"

namespace facecore::detail {
namespace {

template <class T>
void warp_row_simd(const WarpRowArgs& a) {
  using VF = typename T::VF;
  using VI = typename T::VI;
  constexpr int L = T::kLanes;
  const WarpImage& img = *a.img;
  const WarpParams& p = *a.p;
  const int w = p.out_width, c = img.channels;
  if (!a.fast_ok) return warp_pixels(a, 0, w);
  const double* m = a.m;
  const double bx = m[1] * a.y + m[2], by = m[4] * a.y + m[5];
  const typename T::Limits lim = T::limits(img.width, img.height);
  const VI one = T::set1i(1), zero = T::set1i(0), wmax = T::set1i(img.width - 1), hmax = T::set1i(img.height - 1);
  const VI vstride = T::set1i(static_cast<int>(img.stride)), vc = T::set1i(c), maxoff = T::set1i(a.max_offset);
  // Outside neighbours (border 'constant') read as this pixel: the border value in each channel byte.
  uint32_t bpix = 0;
  for (int k = 0; k < c; ++k) bpix |= static_cast<uint32_t>(p.border_value[k]) << (8 * k);
  const VI border = T::set1i(static_cast<int>(bpix));
  const bool replicate = p.border == WarpBorder::kReplicate;
  const uint8_t* base = img.data;
  const bool u8 = p.output == WarpOutput::kUint8;
  const int* sc = a.src_channel;
  const int used = u8 ? c : (c == 1 ? 1 : 3);  // source channels the output needs
  VF scale[3], bias[3];
  for (int k = 0; k < 3; ++k) {
    scale[k] = T::set1(a.scale[k]);
    bias[k] = T::set1(a.bias[k]);
  }
  int x = 0;
  for (; x + L <= w; x += L) {
    VI x0, y0;
    VF fx, fy;
    T::coords(m[0], bx, m[3], by, x, lim, &x0, &y0, &fx, &fy);
    const VI x1 = T::add(x0, one), y1 = T::add(y0, one);
    // Neighbour addresses clamped into the image: exactly 'replicate', and always safe to read.
    const VI c0 = T::mullo(T::clamp(x0, zero, wmax), vc), c1 = T::mullo(T::clamp(x1, zero, wmax), vc);
    const VI r0 = T::mullo(T::clamp(y0, zero, hmax), vstride), r1 = T::mullo(T::clamp(y1, zero, hmax), vstride);
    const VI o00 = T::add(r0, c0), o01 = T::add(r0, c1), o10 = T::add(r1, c0), o11 = T::add(r1, c1);
    // A 4-byte read of the image's last pixels may pass the end of data (no slack): per pixel there.
    if (T::any_greater(o11, maxoff)) {
      warp_pixels(a, x, x + L);
      continue;
    }
    VI g00, g01, g10, g11;
    if (replicate) {
      g00 = T::gather(base, o00), g01 = T::gather(base, o01), g10 = T::gather(base, o10), g11 = T::gather(base, o11);
    } else {
      const auto ix0 = T::in_range(x0, wmax), ix1 = T::in_range(x1, wmax);
      const auto iy0 = T::in_range(y0, hmax), iy1 = T::in_range(y1, hmax);
      g00 = T::gather_or(border, T::both(ix0, iy0), base, o00);
      g01 = T::gather_or(border, T::both(ix1, iy0), base, o01);
      g10 = T::gather_or(border, T::both(ix0, iy1), base, o10);
      g11 = T::gather_or(border, T::both(ix1, iy1), base, o11);
    }
    VF v[4];
    for (int k = 0; k < used; ++k) {
      const VF p00 = T::channel(g00, k), p01 = T::channel(g01, k);
      const VF p10 = T::channel(g10, k), p11 = T::channel(g11, k);
      const VF top = T::fma(fx, T::sub(p01, p00), p00), bot = T::fma(fx, T::sub(p11, p10), p10);
      v[k] = T::fma(fy, T::sub(bot, top), top);
    }
    if (!u8) {
      for (int k = 0; k < 3; ++k) T::store(a.out_f32[k] + x, T::fma(v[sc[k]], scale[k], bias[k]));
    } else if (c == 1) {
      T::store_u8_c1(a.out_u8 + x, v[0]);
    } else if (c == 3) {
      T::store_u8_c3(a.out_u8 + 3 * x, v[sc[0]], v[1], v[sc[2]]);
    } else {
      T::store_u8_c4(a.out_u8 + 4 * x, v[sc[0]], v[1], v[sc[2]], v[3]);
    }
  }
  warp_pixels(a, x, w);
}

}  // namespace
}  // namespace facecore::detail
