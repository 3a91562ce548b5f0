// The register-blocked dot-product kernel, written once over a SIMD "traits" type and
// instantiated by each ISA's own translation unit (dot_block_avx512.cc, ...), compiled with
// that ISA's flags. Included only from those files.
//
// Shape: MR query rows x NR gallery rows of accumulators, each a full vector over the
// dimension (no packing, masked tails), reduced horizontally once per tile. A query strip
// stays in registers/L1 while the gallery block streams from L2. The first strip of a
// block can also accumulate |g|^2 (NORMS), so cosine needs no separate pass over memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>

namespace facecore::detail {

template <class T, int MR, int NR, bool NORMS, bool PREFETCH>
void dot_micro(const float* q, const float* g, size_t dim, float* s, size_t lds, float* gsq) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth;
  V acc[MR][NR];
  V nacc[NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = T::zero();
  for (int j = 0; j < NR; ++j) nacc[j] = T::zero();

  auto step = [&](size_t k, auto load) {
    V qv[MR];
    for (int i = 0; i < MR; ++i) qv[i] = load(q + i * dim + k);
    for (int j = 0; j < NR; ++j) {
      if constexpr (PREFETCH) T::prefetch(g + (NR + j) * dim + k);
      const V gv = load(g + j * dim + k);
      for (int i = 0; i < MR; ++i) acc[i][j] = T::fma(qv[i], gv, acc[i][j]);
      if constexpr (NORMS) nacc[j] = T::fma(gv, gv, nacc[j]);
    }
  };
  size_t k = 0;
  for (; k + W <= dim; k += W) step(k, [](const float* p) { return T::load(p); });
  if (k < dim) {
    const size_t rest = dim - k;
    step(k, [rest](const float* p) { return T::load_tail(p, rest); });
  }
  // Horizontal sums four vectors at a time (a transpose-and-add tree is ~3 ops per vector
  // instead of ~8). Every vector takes the same path whatever its slot, so identical rows
  // still sum bit-identically.
  constexpr int kVecs = MR * NR + (NORMS ? NR : 0), kGroups = (kVecs + 3) / 4;
  V all[kGroups * 4];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) all[i * NR + j] = acc[i][j];
  if constexpr (NORMS)
    for (int j = 0; j < NR; ++j) all[MR * NR + j] = nacc[j];
  for (int v = kVecs; v < kGroups * 4; ++v) all[v] = T::zero();
  float sums[kGroups * 4];
  for (int grp = 0; grp < kGroups; ++grp)
    T::reduce4(all[4 * grp], all[4 * grp + 1], all[4 * grp + 2], all[4 * grp + 3], sums + 4 * grp);
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) s[i * lds + j] = sums[i * NR + j];
  if constexpr (NORMS)
    for (int j = 0; j < NR; ++j) gsq[j] = sums[MR * NR + j];
}

using MicroFn = void (*)(const float*, const float*, size_t, float*, size_t, float*);

// table[mr - 1][nr - 1] = dot_micro<T, mr, nr, NORMS, PREFETCH>, for the ragged edges of a block.
template <class T, bool NORMS, bool PREFETCH, int MR, int NR>
struct MicroTable {
  MicroFn fn[MR][NR];
  constexpr MicroTable() : fn() { fill(std::make_index_sequence<MR * NR>{}); }
  template <size_t... I>
  constexpr void fill(std::index_sequence<I...>) {
    ((fn[I / NR][I % NR] =
          &dot_micro<T, static_cast<int>(I / NR) + 1, static_cast<int>(I % NR) + 1, NORMS, PREFETCH>),
     ...);
  }
};

// The first strip of a block is the one that pulls the gallery rows from memory: it
// prefetches the next tile's rows (where the ISA asks for it) and, for cosine, sums |g|^2.
// Later strips find the block in L2.
template <class T>
void dot_block_impl(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s, size_t lds,
                    float* gsq) {
  static constexpr MicroTable<T, false, false, T::kMR, T::kNR> plain{};
  static constexpr MicroTable<T, false, T::kPrefetch, T::kMR, T::kNR> plain_first{};
  static constexpr MicroTable<T, true, T::kPrefetch, T::kMRNorms, T::kNRNorms> normed_first{};
  if (nq == 0) return;
  const bool norms = gsq != nullptr;
  const size_t mr0 = std::min<size_t>(nq, norms ? T::kMRNorms : T::kMR);
  const size_t nr0 = norms ? T::kNRNorms : T::kNR;
  for (size_t j0 = 0; j0 < ng; j0 += nr0) {
    const size_t nr = std::min(ng - j0, nr0);
    const auto& table = norms ? normed_first.fn : plain_first.fn;
    table[mr0 - 1][nr - 1](q, g + j0 * dim, dim, s + j0, lds, norms ? gsq + j0 : nullptr);
  }
  // A gallery micro-panel stays in L1 while the query strips stream past it from L2.
  for (size_t j0 = 0; j0 < ng; j0 += T::kNR) {
    const size_t nr = std::min<size_t>(ng - j0, T::kNR);
    for (size_t i0 = mr0; i0 < nq; i0 += T::kMR) {
      const size_t mr = std::min<size_t>(nq - i0, T::kMR);
      plain.fn[mr - 1][nr - 1](q + i0 * dim, g + j0 * dim, dim, s + i0 * lds + j0, lds, nullptr);
    }
  }
}

}  // namespace facecore::detail
