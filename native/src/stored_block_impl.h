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
#include <utility>

namespace facecore::detail {

template <class T, int MR, int NR>
void stored_micro(const typename T::Q* q, const typename T::G* g, size_t dim, typename T::S* s, size_t lds) {
  typename T::Acc acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = T::zero();
  constexpr size_t W = T::kWidth;
  size_t k = 0;
  for (; k + W <= dim; k += W) {
    typename T::QV qv[MR];
    for (int i = 0; i < MR; ++i) qv[i] = T::load_q(q + i * dim + k);
    for (int j = 0; j < NR; ++j) {
      const typename T::GV gv = T::load_g(g + j * dim + k);
      for (int i = 0; i < MR; ++i) acc[i][j] = T::madd(qv[i], gv, acc[i][j]);
    }
  }
  if (k < dim) {
    const size_t rest = dim - k;
    typename T::QV qv[MR];
    for (int i = 0; i < MR; ++i) qv[i] = T::load_q_tail(q + i * dim + k, rest);
    for (int j = 0; j < NR; ++j) {
      const typename T::GV gv = T::load_g_tail(g + j * dim + k, rest);
      for (int i = 0; i < MR; ++i) acc[i][j] = T::madd(qv[i], gv, acc[i][j]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) s[i * lds + j] = T::reduce(acc[i][j]);
}

template <class T>
struct StoredMicroTable {
  using Fn = void (*)(const typename T::Q*, const typename T::G*, size_t, typename T::S*, size_t);
  Fn fn[T::kMR][T::kNR];
  constexpr StoredMicroTable() : fn() { fill(std::make_index_sequence<T::kMR * T::kNR>{}); }
  template <size_t... I>
  constexpr void fill(std::index_sequence<I...>) {
    ((fn[I / T::kNR][I % T::kNR] = &stored_micro<T, static_cast<int>(I / T::kNR) + 1, static_cast<int>(I % T::kNR) + 1>),
     ...);
  }
};

template <class T>
void stored_block_impl(const typename T::Q* q, size_t nq, const typename T::G* g, size_t ng, size_t dim,
                       typename T::S* s, size_t lds) {
  static constexpr StoredMicroTable<T> table{};
  for (size_t i0 = 0; i0 < nq; i0 += T::kMR) {
    const size_t mr = nq - i0 < T::kMR ? nq - i0 : T::kMR;
    for (size_t j0 = 0; j0 < ng; j0 += T::kNR) {
      const size_t nr = ng - j0 < T::kNR ? ng - j0 : T::kNR;
      table.fn[mr - 1][nr - 1](q + i0 * dim, g + j0 * dim, dim, s + i0 * lds + j0, lds);
    }
  }
}

}  // namespace facecore::detail
