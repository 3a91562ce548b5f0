#include "facecore/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "facecore/cpu_features.h"

namespace facecore {
namespace detail {
namespace {

// Round-to-nearest-even float -> binary16 without F16C (F. Giesen's float_to_half_fast3_rtne):
// identical results to vcvtps2ph for every finite input and infinities.
uint16_t half_from_float(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x47800000u)  // >= 65536, Inf or NaN
    return static_cast<uint16_t>(sign | (ax > 0x7f800000u ? 0x7e00u | ((ax >> 13) & 0x3ffu) : 0x7c00u));
  if (ax < 0x38800000u) {  // below the smallest normal half: let the FPU round in units of 2^-24
    float af;
    std::memcpy(&af, &ax, 4);
    af += 0.5f;
    uint32_t r;
    std::memcpy(&r, &af, 4);
    return static_cast<uint16_t>(sign | (r - 0x3f000000u));
  }
  const uint32_t odd = (ax >> 13) & 1u;
  ax += 0xc8000fffu + odd;  // rebias the exponent (-112 << 23) and round half to even
  return static_cast<uint16_t>(sign | (ax >> 13));
}

float float_from_half(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  uint32_t bits;
  if (e == 0) {
    const float f = static_cast<float>(m) * (1.0f / 16777216.0f);  // subnormal: m * 2^-24, exact
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  } else if (e == 31) {
    bits = sign | 0x7f800000u | (m << 13);
  } else {
    bits = sign | ((e + 112) << 23) | (m << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace

void f32_to_f16_scalar(const float* x, size_t n, uint16_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = half_from_float(x[i]);
}

void f16_to_f32_scalar(const uint16_t* h, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = float_from_half(h[i]);
}

}  // namespace detail

void f32_to_f16(const float* x, size_t n, uint16_t* out) {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return detail::f32_to_f16_avx512(x, n, out);
    case Isa::kAvx2: return detail::f32_to_f16_avx2(x, n, out);
    default: break;
  }
#endif
  detail::f32_to_f16_scalar(x, n, out);
}

void f16_to_f32(const uint16_t* h, size_t n, float* out) {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return detail::f16_to_f32_avx512(h, n, out);
    case Isa::kAvx2: return detail::f16_to_f32_avx2(h, n, out);
    default: break;
  }
#endif
  detail::f16_to_f32_scalar(h, n, out);
}

// Quantisation is a write-time cost (once per stored vector), so it stays portable: the
// codes are then the same on every machine.
namespace {

template <typename Code>
void quantize_symmetric(const float* x, size_t rows, size_t dim, int32_t qmax, Code* codes, float* scales) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x + r * dim;
    float amax = 0.0f;
    for (size_t k = 0; k < dim; ++k) amax = std::max(amax, std::fabs(row[k]));
    Code* out = codes + r * dim;
    if (amax == 0.0f) {
      scales[r] = 0.0f;
      std::fill(out, out + dim, Code(0));
      continue;
    }
    const float inv = static_cast<float>(qmax) / amax;
    scales[r] = amax / static_cast<float>(qmax);
    for (size_t k = 0; k < dim; ++k) {
      const float v = std::nearbyint(row[k] * inv);
      out[k] = static_cast<Code>(std::clamp(v, static_cast<float>(-qmax), static_cast<float>(qmax)));
    }
  }
}

}  // namespace

void quantize_i8(const float* x, size_t rows, size_t dim, int8_t* codes, float* scales) {
  quantize_symmetric<int8_t>(x, rows, dim, 127, codes, scales);
}

void dequantize_i8(const int8_t* codes, const float* scales, size_t rows, size_t dim, float* out) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t k = 0; k < dim; ++k) out[r * dim + k] = static_cast<float>(codes[r * dim + k]) * scales[r];
}

int32_t i16_query_max(size_t dim) {
  const double bound = 2147483647.0 / (127.0 * static_cast<double>(dim > 0 ? dim : 1));
  return static_cast<int32_t>(std::min(32767.0, std::floor(bound)));
}

void quantize_i16(const float* x, size_t rows, size_t dim, int16_t* codes, float* scales) {
  quantize_symmetric<int16_t>(x, rows, dim, i16_query_max(dim), codes, scales);
}

}  // namespace facecore
