// AVX2 + FMA packed-GEMM dot block, for many query rows at once (the path dot_block_avx2
// takes when nq is large): the AVX-512 design (dot_block_packed_avx512.cc) at half the width.
// Gallery rows are packed 16 at a time into a panel laid out [k][16], and a micro-kernel of
// kMR query rows x 16 gallery columns (2 ymm accumulators per query row, query scalars
// broadcast) runs down k. Every score is a plain sequential sum over k inside one lane: no
// horizontal reductions (which cost the streaming kernel most of its time at d = 128), and
// identical gallery rows (or query rows) score bit-identically wherever they sit. |g|^2 is
// summed from the panel in the same per-lane order.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "avx2_tail.h"
#include "facecore/similarity.h"
#include "packed_panels.h"

namespace facecore::detail {
namespace {

constexpr size_t kPanel = 16;  // gallery columns of a panel (2 ymm)
constexpr int kMR = 6;         // query rows of a micro-tile: 12 accumulators + 2 panel vectors + 1 broadcast

// out[c * 16] = column c of 8 full rows g[i * dim], c < 8. Each 128-bit lane L of a vector
// first gathers a 4-column chunk of row 4L + r (a plain load and an insert), so only an
// in-lane 4x4 transpose is left.
inline void transpose8_rows(const float* g, size_t dim, float* out) {
  for (int m = 0; m < 2; ++m) {
    __m256 x[4];
    for (int r = 0; r < 4; ++r) {
      const float* p = g + r * dim + 4 * m;
      x[r] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)), _mm_loadu_ps(p + 4 * dim), 1);
    }
    const __m256d t0 = _mm256_castps_pd(_mm256_unpacklo_ps(x[0], x[1]));
    const __m256d t1 = _mm256_castps_pd(_mm256_unpackhi_ps(x[0], x[1]));
    const __m256d t2 = _mm256_castps_pd(_mm256_unpacklo_ps(x[2], x[3]));
    const __m256d t3 = _mm256_castps_pd(_mm256_unpackhi_ps(x[2], x[3]));
    _mm256_storeu_ps(out + (4 * m + 0) * kPanel, _mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2)));
    _mm256_storeu_ps(out + (4 * m + 1) * kPanel, _mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2)));
    _mm256_storeu_ps(out + (4 * m + 2) * kPanel, _mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3)));
    _mm256_storeu_ps(out + (4 * m + 3) * kPanel, _mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3)));
  }
}

// panel[k * 16 + j] = g[j * dim + k] for j < nr (<= 16), k < dim; lanes j >= nr are zero.
void pack_panel(const float* g, size_t nr, size_t dim, float* panel) {
  for (size_t k0 = 0; k0 < dim; k0 += 8) {
    const size_t kw = std::min<size_t>(8, dim - k0);
    for (size_t h = 0; h < kPanel; h += 8) {
      if (kw == 8 && h + 8 <= nr) {
        transpose8_rows(g + h * dim + k0, dim, panel + k0 * kPanel + h);
        continue;
      }
      // Ragged edge (the last rows of a block, the last columns of an odd dim): one by one,
      // reading only rows < nr and columns < dim.
      for (size_t c = 0; c < kw; ++c)
        for (size_t i = 0; i < 8; ++i) panel[(k0 + c) * kPanel + h + i] = h + i < nr ? g[(h + i) * dim + k0 + c] : 0.0f;
    }
  }
}

// Stores the first n (<= 8) lanes of v at p.
inline void store_lanes(float* p, size_t n, __m256 v) {
  if (n >= 8) return _mm256_storeu_ps(p, v);
  if (n > 0) _mm256_maskstore_ps(p, avx2_tail_mask(n), v);
}

// gsq[j] = sum over k of panel[k][j]^2 (sequential per lane), j < nr.
void panel_norms(const float* panel, size_t nr, size_t dim, float* gsq) {
  __m256 n0 = _mm256_setzero_ps(), n1 = _mm256_setzero_ps();
  for (size_t k = 0; k < dim; ++k) {
    const __m256 b0 = _mm256_loadu_ps(panel + k * kPanel), b1 = _mm256_loadu_ps(panel + k * kPanel + 8);
    n0 = _mm256_fmadd_ps(b0, b0, n0);
    n1 = _mm256_fmadd_ps(b1, b1, n1);
  }
  store_lanes(gsq, std::min<size_t>(nr, 8), n0);
  if (nr > 8) store_lanes(gsq + 8, nr - 8, n1);
}

// s[i * lds + j] = q_i . panel column j for i < MR, j < nr.
template <int MR>
void gemm_micro(const float* q, size_t dim, const float* panel, size_t nr, float* s, size_t lds) {
  __m256 c0[MR], c1[MR];
  // Fully unrolled (GCC at -O2 otherwise keeps the arrays addressable and stores all 12
  // accumulators to the stack every k step, which made this path 2x slower than streaming);
  // k unrolled by 4 for the loop overhead.
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (size_t k = 0; k < dim; ++k) {
    const __m256 b0 = _mm256_loadu_ps(panel + k * kPanel), b1 = _mm256_loadu_ps(panel + k * kPanel + 8);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m256 a = _mm256_broadcast_ss(q + i * dim + k);
      c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
    }
  }
  const size_t n0 = std::min<size_t>(nr, 8), n1 = nr > 8 ? nr - 8 : 0;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    store_lanes(s + i * lds, n0, c0[i]);
    store_lanes(s + i * lds + 8, n1, c1[i]);
  }
}

// Prefetches cache lines [from, to) of the raw gallery rows at address g into L2 (line L: row
// L / per_row, its (L % per_row)-th 64-byte line). Only a hint: it never faults.
void prefetch_lines(uintptr_t g, size_t dim, size_t per_row, size_t from, size_t to) {
  for (size_t line = from; line < to; ++line) {
    const uintptr_t p = g + ((line / per_row) * dim + (line % per_row) * 16) * sizeof(float);
    _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T1);
  }
}

using GemmMicroFn = void (*)(const float*, size_t, const float*, size_t, float*, size_t);

template <size_t... I>
constexpr auto micro_table(std::index_sequence<I...>) {
  return std::array<GemmMicroFn, sizeof...(I)>{&gemm_micro<static_cast<int>(I) + 1>...};
}

}  // namespace

void dot_block_packed_avx2(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s,
                           size_t lds, float* gsq) {
  static constexpr auto table = micro_table(std::make_index_sequence<kMR>{});
  if (nq == 0 || ng == 0) return;
  float* panel = panel_scratch(kPanel * dim);
  for (size_t j0 = 0; j0 < ng; j0 += kPanel) {
    const size_t nr = std::min(kPanel, ng - j0);
    pack_panel(g + j0 * dim, nr, dim, panel);
    if (gsq) panel_norms(panel, nr, dim, gsq + j0);
    // The next panel's raw rows go to L2 while this one is multiplied, a share before each
    // strip (a burst at the first strip alone asked more of memory than one core gets).
    const size_t next_rows = next_panel_rows(j0, ng, kPanel);
    const uintptr_t next = reinterpret_cast<uintptr_t>(g) + (j0 + nr) * dim * sizeof(float);
    const size_t per_row = (dim + 15) / 16, lines = next_rows * per_row, strips = (nq + kMR - 1) / kMR;
    for (size_t i0 = 0, strip = 0; i0 < nq; ++strip) {
      prefetch_lines(next, dim, per_row, lines * strip / strips, lines * (strip + 1) / strips);
      const size_t mr = strip_rows(nq, strip, kMR);
      table[mr - 1](q + i0 * dim, dim, panel, nr, s + i0 * lds + j0, lds);
      i0 += mr;
    }
  }
}

}  // namespace facecore::detail
