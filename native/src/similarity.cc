#include "facecore/similarity.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/parallel.h"
#include "score_tile.h"

namespace facecore {
namespace detail {

DotBlockFn dot_block() {
#if defined(FACECORE_X86)
  switch (active_isa(Kernel::kGeneral)) {
    case Isa::kAvx512: return dot_block_avx512;
    case Isa::kAvx2: return dot_block_avx2;
    default: break;
  }
#endif
  return dot_block_scalar;
}

FirstAboveFn first_above() {
#if defined(FACECORE_X86)
  switch (active_isa(Kernel::kGeneral)) {
    case Isa::kAvx512: return first_above_avx512;
    case Isa::kAvx2: return first_above_avx2;
    default: break;
  }
#endif
  return first_above_scalar;
}

size_t gallery_block_rows(size_t dim) { return scan_block_rows(dim, sizeof(float)); }

void inverse_norms(const float* x, size_t n, size_t dim, float* out) {
  for (size_t i = 0; i < n; ++i) {
    double sq = 0;
    for (size_t k = 0; k < dim; ++k) sq += static_cast<double>(x[i * dim + k]) * x[i * dim + k];
    // NaN marks a row that is not finite; the caller turns it into an error.
    out[i] = !std::isfinite(sq) ? NAN : sq > 0 ? static_cast<float>(1.0 / std::sqrt(sq)) : 0.0f;
  }
}

}  // namespace detail

Status similarity_matrix(const float* a, size_t na, const float* b, size_t nb, size_t dim, Metric metric,
                         float* out, int threads) {
  if (na == 0 || nb == 0) return Status::kOk;
  const bool cosine = metric == Metric::kCosine;
  std::vector<float> inv_a;
  if (cosine) {
    inv_a.resize(na);
    detail::inverse_norms(a, na, dim, inv_a.data());
    if (!detail::all_finite(inv_a.data(), na)) return Status::kNonFinite;
  }
  const size_t gb = detail::gallery_block_rows(dim), qc = tuning::kQueryChunk;
  const size_t n_gblocks = (nb + gb - 1) / gb, n_qchunks = (na + qc - 1) / qc;
  const auto kernel = detail::dot_block();
  std::atomic<bool> bad{false};
  parallel_for(static_cast<int>(n_gblocks * n_qchunks), threads, [&](int task) {
    const size_t g0 = (task / n_qchunks) * gb, q0 = (task % n_qchunks) * qc;
    const size_t gn = std::min(gb, nb - g0), qn = std::min(qc, na - q0);
    float* tile = out + q0 * nb + g0;
    float gsq[tuning::kBlockRowsMax];
    kernel(a + q0 * dim, qn, b + g0 * dim, gn, dim, tile, nb, cosine ? gsq : nullptr);
    bool ok = cosine ? detail::cosine_tile(tile, nb, qn, gn, inv_a.data() + q0, gsq)
                     : detail::tile_finite(tile, nb, qn, gn);
    if (!ok) bad.store(true, std::memory_order_relaxed);
  });
  return bad.load() ? Status::kNonFinite : Status::kOk;
}

}  // namespace facecore
