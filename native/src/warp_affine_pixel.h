// Per-pixel warp in plain C++: the whole job for the scalar kernel, and the border/tail path of
// the SIMD kernels. Internal linkage only: each ISA's translation unit gets its own copy, so the
// baseline never links code compiled with AVX flags.
#pragma once

#include <cmath>
#include <cstdint>

#include "facecore/warp_affine.h"

namespace facecore::detail {
namespace {

// Source channel values at (sx, sy), into v[0..C).
inline void sample_pixel(const WarpImage& img, const WarpParams& p, double sx, double sy, float* v) {
  const int w = img.width, h = img.height, c = img.channels;
  const bool replicate = p.border == WarpBorder::kReplicate;
  // Clamping to [-2, size + 1] keeps every answer (those neighbours are outside either way, and
  // replicate clamps them to the edge) and makes the int conversions safe; NaN goes to -2.
  sx = sx > -2.0 ? (sx < w + 1.0 ? sx : w + 1.0) : -2.0;
  sy = sy > -2.0 ? (sy < h + 1.0 ? sy : h + 1.0) : -2.0;
  if (p.interp == WarpInterp::kNearest) {
    int x = static_cast<int>(std::floor(sx + 0.5)), y = static_cast<int>(std::floor(sy + 0.5));
    if (x < 0 || y < 0 || x >= w || y >= h) {
      if (!replicate) {
        for (int k = 0; k < c; ++k) v[k] = p.border_value[k];
        return;
      }
      x = x < 0 ? 0 : x >= w ? w - 1 : x;
      y = y < 0 ? 0 : y >= h ? h - 1 : y;
    }
    const uint8_t* s = img.data + y * img.stride + static_cast<size_t>(x) * c;
    for (int k = 0; k < c; ++k) v[k] = s[k];
    return;
  }
  const double fx0 = std::floor(sx), fy0 = std::floor(sy);
  const int x0 = static_cast<int>(fx0), y0 = static_cast<int>(fy0);
  const float fx = static_cast<float>(sx - fx0), fy = static_cast<float>(sy - fy0);
  auto blend = [fx, fy](float p00, float p01, float p10, float p11) {
    const float top = p00 + fx * (p01 - p00), bot = p10 + fx * (p11 - p10);
    return top + fy * (bot - top);
  };
  if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {  // the whole 2x2 inside: no border rules
    const uint8_t* r0 = img.data + y0 * img.stride + static_cast<size_t>(x0) * c;
    const uint8_t* r1 = r0 + img.stride;
    for (int k = 0; k < c; ++k) v[k] = blend(r0[k], r0[c + k], r1[k], r1[c + k]);
    return;
  }
  const uint8_t* q[4];
  bool in[4];
  for (int j = 0; j < 4; ++j) {
    int x = x0 + (j & 1), y = y0 + (j >> 1);
    in[j] = x >= 0 && y >= 0 && x < w && y < h;
    if (replicate) {
      x = x < 0 ? 0 : x >= w ? w - 1 : x;
      y = y < 0 ? 0 : y >= h ? h - 1 : y;
      in[j] = true;
    }
    q[j] = in[j] ? img.data + y * img.stride + static_cast<size_t>(x) * c : nullptr;
  }
  for (int k = 0; k < c; ++k) {
    const float b = p.border_value[k];
    v[k] = blend(in[0] ? q[0][k] : b, in[1] ? q[1][k] : b, in[2] ? q[2][k] : b, in[3] ? q[3][k] : b);
  }
}

inline uint8_t to_u8(float v) {
  const long r = std::lrint(v);  // ties to even, as the SIMD paths and OpenCV's saturate_cast
  return static_cast<uint8_t>(r <= 0 ? 0 : r >= 255 ? 255 : r);
}

// Destination pixels [x0, x1) of row a.y, one at a time.
inline void warp_pixels(const WarpRowArgs& a, int x0, int x1) {
  const WarpImage img = *a.img;  // copies: uint8 stores may alias anything, so references get reloaded
  const WarpParams& p = *a.p;
  const double m[6] = {a.m[0], a.m[1], a.m[2], a.m[3], a.m[4], a.m[5]};
  const int c = img.channels;
  const double by = m[1] * a.y + m[2], dy = m[4] * a.y + m[5];
  float v[4];
  for (int x = x0; x < x1; ++x) {
    sample_pixel(img, p, m[0] * x + by, m[3] * x + dy, v);
    if (p.output == WarpOutput::kUint8) {
      uint8_t* o = a.out_u8 + static_cast<size_t>(x) * c;
      for (int k = 0; k < c; ++k) o[k] = to_u8(v[a.src_channel[k]]);
    } else {
      for (int k = 0; k < 3; ++k) a.out_f32[k][x] = v[a.src_channel[k]] * a.scale[k] + a.bias[k];
    }
  }
}

}  // namespace
}  // namespace facecore::detail
