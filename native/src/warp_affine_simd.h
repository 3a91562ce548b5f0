// The SIMD bilinear row kernel, written once over a traits type and instantiated by
// warp_affine_avx2.cc (8 pixels per step) and warp_affine_avx512.cc (16). Included only there.
//
// Per step of L destination pixels: source coordinates in float64 (a float32 coordinate near
// x = 2000 is off by up to 1e-4 px, which a sharp edge turns into 0.03 grey: too much for the
// 1e-4 normalised-output bound), then int32 byte offsets and float32 fractions; one 4-byte gather
// per corner brings all of a pixel's channels (RGB(A) or grey + neighbours' bytes, ignored), and
// the 2x2 blend runs in float32 with FMA. A step whose 2x2 neighbourhoods are not all inside the
// image, and the row's tail, go through the per-pixel path with the border rules.
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
  const typename T::Limits lim = T::limits(a.fast_x_limit, img.height - 1.0);
  const int stride = static_cast<int>(img.stride);
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
    VI ix, iy;
    VF fx, fy;
    if (!T::coords(m[0], bx, m[3], by, x, lim, &ix, &iy, &fx, &fy)) {
      warp_pixels(a, x, x + L);
      continue;
    }
    const VI off = T::add(T::mullo(iy, T::set1i(stride)), T::mullo(ix, T::set1i(c)));
    const VI g00 = T::gather(base, off), g01 = T::gather(base, T::add(off, T::set1i(c)));
    const VI off1 = T::add(off, T::set1i(stride));
    const VI g10 = T::gather(base, off1), g11 = T::gather(base, T::add(off1, T::set1i(c)));
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
