// Register-blocked dot products against stored (float16 or int8) gallery rows, written once
// over a traits type and instantiated by each ISA's translation unit (search_f16_avx512.cc,
// search_i8_avx2.cc, ...). Same shape as dot_block_impl.h: MR query rows x NR gallery rows
// of accumulators; each gallery vector is widened once and reused by the MR queries, so at
// Q = 1 the kernel streams compact rows at memory speed and at large Q it is compute-bound
// like the float32 kernel. Included only from those files.
//
// Traits T: Q / G (query and gallery element), S (score), Acc / QV / GV (vectors), kWidth,
// kMR, kNR, zero(), load_q(p), load_q_tail(p, n), load_g(p), load_g_tail(p, n),
// madd(QV, GV, Acc) -> Acc, reduce(Acc) -> S.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace facecore::detail {

// How many micro-panels ahead the first strip prefetches. Compact rows are consumed two to
// four times faster than float32 ones, so one panel ahead (the float32 kernel's distance)
// left loads waiting on DRAM: at N = 1M, Q = 1, int8 went 17.6 -> 12-13 ms, f16 32 -> 22-26 ms.
constexpr size_t kAhead = 4;

// Steps of k a kernel's traits ask to unroll (T::kUnrollK, default 1).
template <class T, class = void>
struct UnrollK {
  static constexpr int value = 1;
};
template <class T>
struct UnrollK<T, std::void_t<decltype(T::kUnrollK)>> {
  static constexpr int value = T::kUnrollK;
};

template <class T, int MR, int NR, bool PREFETCH>
void stored_micro(const typename T::Q* q, const typename T::G* g, size_t dim, typename T::S* s, size_t lds) {
  typename T::Acc acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = T::zero();
  constexpr size_t W = T::kWidth;
  // One step body for the full steps and the masked tail (as dot_micro does): two copies of
  // the accumulator updates made GCC keep a stack copy of all 24 accumulators.
  auto step = [&](size_t k, auto load_q, auto load_g) {
    typename T::QV qv[MR];
    for (int i = 0; i < MR; ++i) qv[i] = load_q(q + i * dim + k);
    for (int j = 0; j < NR; ++j) {
      // One prefetch per 64-byte line (a step covers 32 bytes of compact row): into L1 for
      // the rows kAhead panels on, and into L2 four times further (f16 at 1M: 24.5 -> 23.3 ms).
      if constexpr (PREFETCH)
        if ((k * sizeof(typename T::G)) % 64 == 0) {
          __builtin_prefetch(g + (kAhead * NR + j) * dim + k, 0, 3);
          __builtin_prefetch(g + (4 * kAhead * NR + j) * dim + k, 0, 2);
        }
      const typename T::GV gv = load_g(g + j * dim + k);
      for (int i = 0; i < MR; ++i) acc[i][j] = T::madd(qv[i], gv, acc[i][j]);
    }
  };
  size_t k = 0;
  const auto full_q = [](const typename T::Q* p) { return T::load_q(p); };
  const auto full_g = [](const typename T::G* p) { return T::load_g(p); };
  if constexpr (UnrollK<T>::value == 2) {
#pragma GCC unroll 2
    for (; k + W <= dim; k += W) step(k, full_q, full_g);
  } else {
    for (; k + W <= dim; k += W) step(k, full_q, full_g);
  }
  if (k < dim) {
    const size_t rest = dim - k;
    step(k, [rest](const typename T::Q* p) { return T::load_q_tail(p, rest); },
         [rest](const typename T::G* p) { return T::load_g_tail(p, rest); });
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) s[i * lds + j] = T::reduce(acc[i][j]);
}

template <class T, bool PREFETCH>
struct StoredMicroTable {
  using Fn = void (*)(const typename T::Q*, const typename T::G*, size_t, typename T::S*, size_t);
  Fn fn[T::kMR][T::kNR];
  constexpr StoredMicroTable() : fn() { fill(std::make_index_sequence<T::kMR * T::kNR>{}); }
  template <size_t... I>
  constexpr void fill(std::index_sequence<I...>) {
    ((fn[I / T::kNR][I % T::kNR] =
          &stored_micro<T, static_cast<int>(I / T::kNR) + 1, static_cast<int>(I % T::kNR) + 1, PREFETCH>),
     ...);
  }
};

template <class T>
void stored_block_impl(const typename T::Q* q, size_t nq, const typename T::G* g, size_t ng, size_t dim,
                       typename T::S* s, size_t lds) {
  static constexpr StoredMicroTable<T, false> plain{};
  static constexpr StoredMicroTable<T, true> first{};
  for (size_t i0 = 0; i0 < nq; i0 += T::kMR) {
    const size_t mr = nq - i0 < T::kMR ? nq - i0 : T::kMR;
    // The first strip pulls the rows from memory: it prefetches the next micro-panel's rows.
    const auto& table = i0 == 0 ? first.fn : plain.fn;
    for (size_t j0 = 0; j0 < ng; j0 += T::kNR) {
      const size_t nr = ng - j0 < T::kNR ? ng - j0 : T::kNR;
      table[mr - 1][nr - 1](q + i0 * dim, g + j0 * dim, dim, s + i0 * lds + j0, lds);
    }
  }
}

// Many queries against a block widened once (search_i8_wide.h): kPanelRows rows at a time,
// small enough to stay in L1, against every query strip, so a row is read from L2 once per
// tile instead of once per strip of kMR queries.
template <class T, size_t kPanelRows>
void stored_panels_impl(const typename T::Q* q, size_t nq, const typename T::G* g, size_t ng, size_t dim,
                        typename T::S* s, size_t lds) {
  for (size_t j0 = 0; j0 < ng; j0 += kPanelRows)
    stored_block_impl<T>(q, nq, g + j0 * dim, ng - j0 < kPanelRows ? ng - j0 : kPanelRows, dim, s + j0, lds);
}

// One query: the rows in memory order, one at a time, four accumulators per row, so the scan
// is a single sequential stream (what the hardware prefetchers follow best) plus a prefetch
// kPrefetchBytes ahead. At 1M rows, 2 threads: i8 17.6 -> 10-12 ms, f16 32 -> 19-23 ms.
// Needs T::add(Acc, Acc) besides the traits above.
template <class T, size_t kPrefetchBytes = 4096>
void stored_rows_one_query(const typename T::Q* q, const typename T::G* g, size_t ng, size_t dim, typename T::S* s) {
  constexpr size_t W = T::kWidth, kStepBytes = 4 * W * sizeof(typename T::G);
  const size_t full = dim / W * W, rest = dim - full;
  for (size_t j = 0; j < ng; ++j) {
    const typename T::G* row = g + j * dim;
    typename T::Acc a0 = T::zero(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 4 * W <= full; k += 4 * W) {
      const char* ahead = reinterpret_cast<const char*>(row + k) + kPrefetchBytes;
      for (size_t line = 0; line < kStepBytes; line += 64) __builtin_prefetch(ahead + line, 0, 3);
      a0 = T::madd(T::load_q(q + k), T::load_g(row + k), a0);
      a1 = T::madd(T::load_q(q + k + W), T::load_g(row + k + W), a1);
      a2 = T::madd(T::load_q(q + k + 2 * W), T::load_g(row + k + 2 * W), a2);
      a3 = T::madd(T::load_q(q + k + 3 * W), T::load_g(row + k + 3 * W), a3);
    }
    for (; k < full; k += W) a0 = T::madd(T::load_q(q + k), T::load_g(row + k), a0);
    if (rest) a1 = T::madd(T::load_q_tail(q + k, rest), T::load_g_tail(row + k, rest), a1);
    s[j] = T::reduce(T::add(T::add(a0, a1), T::add(a2, a3)));
  }
}

}  // namespace facecore::detail
