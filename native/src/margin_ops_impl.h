// The per-ISA pieces of the margin kernel, written once over a SIMD "traits" type (the
// same style as dot_block_impl.h) and instantiated by margin_ops_<isa>.cc, each compiled
// with its ISA's flags. Included only from those files.
//
// gemm: c (+)= A . b with b row-major (rows of W or of X-hat) and A read through strides,
// so one kernel serves both gradient products: dX-hat = G . W (A = G) and dW-hat = G^T . X-hat
// (A = G^T, read column-wise). Register block: MR rows of c x NV vectors of columns; a strip
// of b (kk x NV vectors) stays in L1 while every row block passes it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "facecore/margin_softmax.h"

namespace facecore::detail {

template <class T, int MR, int NV, bool MASK>
void gemm_micro(const float* a, size_t ars, size_t acs, size_t kk, const float* b, size_t ldb, float* c,
                size_t ldc, size_t rest, bool accumulate) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth;
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = T::zero();
  for (size_t q = 0; q < kk; ++q) {
    const float* bq = b + q * ldb;
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = MASK ? T::load_tail(bq + v * W, rest) : T::load(bq + v * W);
    const float* aq = a + q * acs;
    for (int r = 0; r < MR; ++r) {
      const V av = T::set1(aq[r * ars]);
      for (int v = 0; v < NV; ++v) acc[r][v] = T::fma(av, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      float* p = c + r * ldc + v * W;
      if constexpr (MASK) {
        T::store_tail(p, accumulate ? T::add(acc[r][v], T::load_tail(p, rest)) : acc[r][v], rest);
      } else {
        T::store(p, accumulate ? T::add(acc[r][v], T::load(p)) : acc[r][v]);
      }
    }
}

using GemmMicroFn = void (*)(const float*, size_t, size_t, size_t, const float*, size_t, float*, size_t, size_t, bool);

// table[mr - 1] = gemm_micro<T, mr, NV, MASK>, for the ragged last row block.
template <class T, int MR, int NV, bool MASK>
struct GemmTable {
  GemmMicroFn fn[MR];
  constexpr GemmTable() : fn() { fill(std::make_index_sequence<MR>{}); }
  template <size_t... I>
  constexpr void fill(std::index_sequence<I...>) {
    ((fn[I] = &gemm_micro<T, static_cast<int>(I) + 1, NV, MASK>), ...);
  }
};

template <class T>
void gemm_impl(const float* a, size_t ars, size_t acs, size_t m, size_t kk, const float* b, size_t ldb, size_t n,
               float* c, size_t ldc, bool accumulate) {
  constexpr int MR = T::kMR, NV = T::kNV;
  constexpr size_t W = T::kWidth, strip = NV * W;
  static constexpr GemmTable<T, MR, NV, false> wide{};
  static constexpr GemmTable<T, MR, 1, false> narrow{};
  static constexpr GemmTable<T, MR, 1, true> masked{};
  if (kk == 0) {
    if (!accumulate)
      for (size_t r = 0; r < m; ++r) std::memset(c + r * ldc, 0, n * sizeof(float));
    return;
  }
  auto rows = [&](const GemmTable<T, MR, NV, false>* wt, const GemmTable<T, MR, 1, false>* nt,
                  const GemmTable<T, MR, 1, true>* mt, size_t j, size_t rest) {
    for (size_t r0 = 0; r0 < m; r0 += MR) {
      const size_t mr = m - r0 < static_cast<size_t>(MR) ? m - r0 : MR;
      const float* ar = a + r0 * ars;
      float* cr = c + r0 * ldc + j;
      if (wt) wt->fn[mr - 1](ar, ars, acs, kk, b + j, ldb, cr, ldc, 0, accumulate);
      else if (nt) nt->fn[mr - 1](ar, ars, acs, kk, b + j, ldb, cr, ldc, 0, accumulate);
      else mt->fn[mr - 1](ar, ars, acs, kk, b + j, ldb, cr, ldc, rest, accumulate);
    }
  };
  size_t j = 0;
  for (; j + strip <= n; j += strip) rows(&wide, nullptr, nullptr, j, 0);
  for (; j + W <= n; j += W) rows(nullptr, &narrow, nullptr, j, 0);
  if (j < n) rows(nullptr, nullptr, &masked, j, n - j);
}

template <class T>
void class_cos_impl(const float* raw, const float* iw, size_t nc, size_t K, float ix, float* cc, int32_t* karg) {
  auto clamp = [](float v) { return v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v); };
  if (K == 1) {
    for (size_t c = 0; c < nc; ++c) cc[c] = clamp(raw[c] * ix * iw[c]);
    if (karg)
      for (size_t c = 0; c < nc; ++c) karg[c] = 0;
    return;
  }
  for (size_t c = 0; c < nc; ++c) {
    const float* r = raw + c * K;
    const float* w = iw + c * K;
    float best = clamp(r[0] * ix * w[0]);
    int32_t arg = 0;
    for (size_t k = 1; k < K; ++k) {
      const float v = clamp(r[k] * ix * w[k]);
      if (v > best) best = v, arg = static_cast<int32_t>(k);
    }
    cc[c] = best;
    if (karg) karg[c] = arg;
  }
}

template <class T>
float max_impl(const float* v, size_t n) {
  constexpr size_t W = T::kWidth;
  float best = v[0];
  size_t i = 0;
  if (n >= W) {
    typename T::V m = T::load(v);
    for (i = W; i + W <= n; i += W) m = T::max(m, T::load(v + i));
    best = T::reduce_max(m);
  }
  for (; i < n; ++i) best = v[i] > best ? v[i] : best;
  return best;
}

// exp(x) for x in float range, ~2 ulp: x = n ln2 + r with |r| <= ln2 / 2, e^r by Cephes' degree-6
// polynomial, 2^n built in the exponent bits. Written as plain arithmetic so the loop around it
// vectorises under each ISA's flags (libm's expf would not). x below -87 gives ~1e-38, not 0:
// such a probability is negligible against the others in a row.
inline float exp_poly(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
  const float t = x * 1.44269504088896341f + magic;
  const float n = t - magic;
  // Unsigned: NaN passes the clamp and its bits would overflow a signed shift (undefined);
  // wrapped bits give some scale, and the NaN still propagates through p below.
  uint32_t bits;
  std::memcpy(&bits, &t, sizeof(bits));
  const uint32_t e = (bits - 0x4B400000u + 127u) << 23;
  float scale;
  std::memcpy(&scale, &e, sizeof(scale));
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * scale;
}

template <class T>
float exp_scale_impl(float* v, size_t n, float scale, float shift, float mult) {
  for (size_t i = 0; i < n; ++i) v[i] = mult * exp_poly(scale * v[i] - shift);
  constexpr size_t W = T::kWidth;
  typename T::V acc = T::zero();
  size_t i = 0;
  for (; i + W <= n; i += W) acc = T::add(acc, T::load(v + i));
  float sum = T::reduce(acc);
  for (; i < n; ++i) sum += v[i];
  return sum;
}

template <class T>
float dot_impl(const float* a, const float* b, size_t n) {
  constexpr size_t W = T::kWidth;
  typename T::V acc = T::zero();
  size_t i = 0;
  for (; i + W <= n; i += W) acc = T::fma(T::load(a + i), T::load(b + i), acc);
  if (i < n) acc = T::fma(T::load_tail(a + i, n - i), T::load_tail(b + i, n - i), acc);
  return T::reduce(acc);
}

template <class T>
void project_impl(const float* v, size_t rows, size_t dim, const float* inv, float* g) {
  for (size_t r = 0; r < rows; ++r) {
    const float* vr = v + r * dim;
    float* gr = g + r * dim;
    const float ir = inv[r];
    // u . g = inv * (v . g); g <- inv * g - inv^3 (v . g) v
    const float k = ir * ir * ir * dot_impl<T>(vr, gr, dim);
    for (size_t i = 0; i < dim; ++i) gr[i] = ir * gr[i] - k * vr[i];
  }
}

template <class T>
const MarginOps& margin_ops_for() {
  static const MarginOps ops{&gemm_impl<T>, &class_cos_impl<T>, &max_impl<T>, &exp_scale_impl<T>, &project_impl<T>};
  return ops;
}

}  // namespace facecore::detail
