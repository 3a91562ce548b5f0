// AVX-512 packed-GEMM dot block, for many query rows at once (the path dot_block_avx512
// takes when nq is large). Gallery rows are packed 32 at a time into a panel laid out
// [k][32] (16x16 in-register transposes), and a micro-kernel of kMR query rows x 32
// gallery columns (2 zmm accumulators per query row, query scalars broadcast) runs down k.
// Every score is then a plain sequential sum over k inside one lane: no horizontal
// reductions, and identical gallery rows (or query rows) score bit-identically wherever they
// sit. |g|^2 is summed from the panel in the same per-lane order.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "facecore/similarity.h"
#include "packed_panels.h"

namespace facecore::detail {
namespace {

constexpr size_t kPanel = 32;  // gallery columns of a panel (2 zmm)
constexpr int kMR = 14;        // query rows of a micro-tile: 28 accumulators + 2 panel vectors

// r[i] (row i, 16 columns) -> r[c] (column c, 16 rows).
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[4g + c]: rows 4g..4g+3 of column 4L + c in 128-bit lane L.
  __m512 u[16];
  for (int g = 0; g < 4; ++g) {
    const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
    u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int c = 0; c < 4; ++c) {
    const __m512 a = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), b = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xdd);
    const __m512 x = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 y = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xdd);
    r[c] = _mm512_shuffle_f32x4(a, x, 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(a, x, 0xdd);
    r[4 + c] = _mm512_shuffle_f32x4(b, y, 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(b, y, 0xdd);
  }
}

// out[c * 32] = column c of 16 full rows g[i * dim], c < 16. Each 128-bit lane L of a vector
// first gathers a 4-column chunk of row 4L + r (plain and broadcast loads, which need no
// shuffle unit), so only an in-lane 4x4 transpose is left: half the shuffles of transpose16.
inline void transpose16_rows(const float* g, size_t dim, float* out) {
  for (int m = 0; m < 4; ++m) {
    __m512 x[4];
    for (int r = 0; r < 4; ++r) {
      const float* p = g + r * dim + 4 * m;
      __m512 v = _mm512_castps128_ps512(_mm_loadu_ps(p));
      v = _mm512_mask_broadcast_f32x4(v, 0x00f0, _mm_loadu_ps(p + 4 * dim));
      v = _mm512_mask_broadcast_f32x4(v, 0x0f00, _mm_loadu_ps(p + 8 * dim));
      x[r] = _mm512_mask_broadcast_f32x4(v, 0xf000, _mm_loadu_ps(p + 12 * dim));
    }
    const __m512d t0 = _mm512_castps_pd(_mm512_unpacklo_ps(x[0], x[1]));
    const __m512d t1 = _mm512_castps_pd(_mm512_unpackhi_ps(x[0], x[1]));
    const __m512d t2 = _mm512_castps_pd(_mm512_unpacklo_ps(x[2], x[3]));
    const __m512d t3 = _mm512_castps_pd(_mm512_unpackhi_ps(x[2], x[3]));
    _mm512_storeu_ps(out + (4 * m + 0) * kPanel, _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2)));
    _mm512_storeu_ps(out + (4 * m + 1) * kPanel, _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2)));
    _mm512_storeu_ps(out + (4 * m + 2) * kPanel, _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3)));
    _mm512_storeu_ps(out + (4 * m + 3) * kPanel, _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3)));
  }
}

// panel[k * 32 + j] = g[j * dim + k] for j < nr (<= 32), k < dim; lanes j >= nr are zero.
void pack_panel(const float* g, size_t nr, size_t dim, float* panel) {
  for (size_t k0 = 0; k0 < dim; k0 += 16) {
    const size_t kw = std::min<size_t>(16, dim - k0);
    const __mmask16 km = static_cast<__mmask16>((1u << kw) - 1);
    for (size_t h = 0; h < kPanel; h += 16) {
      if (kw == 16 && h + 16 <= nr) {
        transpose16_rows(g + h * dim + k0, dim, panel + k0 * kPanel + h);
        continue;
      }
      // Ragged edge: masked loads, zero rows.
      __m512 r[16];
      for (size_t i = 0; i < 16; ++i)
        r[i] = h + i < nr ? _mm512_maskz_loadu_ps(km, g + (h + i) * dim + k0) : _mm512_setzero_ps();
      transpose16(r);
      for (size_t c = 0; c < kw; ++c) _mm512_storeu_ps(panel + (k0 + c) * kPanel + h, r[c]);
    }
  }
}

inline __mmask16 lanes(size_t n) { return n >= 16 ? 0xffff : static_cast<__mmask16>((1u << n) - 1); }

// gsq[j] = sum over k of panel[k][j]^2 (sequential per lane), j < nr.
void panel_norms(const float* panel, size_t nr, size_t dim, float* gsq) {
  __m512 n0 = _mm512_setzero_ps(), n1 = _mm512_setzero_ps();
  for (size_t k = 0; k < dim; ++k) {
    const __m512 b0 = _mm512_loadu_ps(panel + k * kPanel), b1 = _mm512_loadu_ps(panel + k * kPanel + 16);
    n0 = _mm512_fmadd_ps(b0, b0, n0);
    n1 = _mm512_fmadd_ps(b1, b1, n1);
  }
  _mm512_mask_storeu_ps(gsq, lanes(nr), n0);
  if (nr > 16) _mm512_mask_storeu_ps(gsq + 16, lanes(nr - 16), n1);
}

// s[i * lds + j] = q_i . panel column j for i < MR, j < nr. While it runs it prefetches
// the next panel's pf_rows raw gallery rows (pf, one line of two rows per k step) into L2,
// so packing them later does not wait on memory.
template <int MR>
void gemm_micro(const float* q, size_t dim, const float* panel, size_t nr, float* s, size_t lds,
                const float* pf, size_t pf_rows) {
  __m512 c0[MR], c1[MR];
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (size_t k = 0; k < dim; ++k) {
    const __m512 b0 = _mm512_loadu_ps(panel + k * kPanel), b1 = _mm512_loadu_ps(panel + k * kPanel + 16);
    if (pf_rows) {
      const size_t r = 2 * (k & 15), col = k & ~size_t{15};
      _mm_prefetch(reinterpret_cast<const char*>(pf + std::min(r, pf_rows - 1) * dim + col), _MM_HINT_T1);
      _mm_prefetch(reinterpret_cast<const char*>(pf + std::min(r + 1, pf_rows - 1) * dim + col), _MM_HINT_T1);
    }
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(q[i * dim + k]);
      c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
    }
  }
  const __mmask16 m0 = lanes(nr), m1 = nr > 16 ? lanes(nr - 16) : 0;
  for (int i = 0; i < MR; ++i) {
    _mm512_mask_storeu_ps(s + i * lds, m0, c0[i]);
    _mm512_mask_storeu_ps(s + i * lds + 16, m1, c1[i]);
  }
}

using GemmMicroFn = void (*)(const float*, size_t, const float*, size_t, float*, size_t, const float*, size_t);

template <size_t... I>
constexpr auto micro_table(std::index_sequence<I...>) {
  return std::array<GemmMicroFn, sizeof...(I)>{&gemm_micro<static_cast<int>(I) + 1>...};
}

}  // namespace

void dot_block_packed_avx512(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s,
                             size_t lds, float* gsq) {
  static constexpr auto table = micro_table(std::make_index_sequence<kMR>{});
  if (nq == 0 || ng == 0) return;
  float* panel = panel_scratch(kPanel * dim);
  for (size_t j0 = 0; j0 < ng; j0 += kPanel) {
    const size_t nr = std::min(kPanel, ng - j0);
    pack_panel(g + j0 * dim, nr, dim, panel);
    if (gsq) panel_norms(panel, nr, dim, gsq + j0);
    const size_t next_rows = next_panel_rows(j0, ng, kPanel);
    for (size_t i0 = 0, strip = 0; i0 < nq; ++strip) {
      const size_t mr = strip_rows(nq, strip, kMR);
      // The first strip prefetches the next panel's rows.
      const auto next = reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(g) + (j0 + nr) * dim * sizeof(float));
      table[mr - 1](q + i0 * dim, dim, panel, nr, s + i0 * lds + j0, lds, next,
                    i0 == 0 ? next_rows : 0);
      i0 += mr;
    }
  }
}

}  // namespace facecore::detail
