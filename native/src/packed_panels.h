// Shared by the packed-GEMM dot blocks (dot_block_packed_avx2.cc, dot_block_packed_avx512.cc):
// the per-thread panel, the near-equal strip heights and how many rows the next panel holds.
// All of it sits in an anonymous namespace, so each ISA's translation unit compiles its own
// copy with its own flags: one inline definition shared by both could be the AVX-512 one,
// and run on a CPU without AVX-512. Include only from those files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace facecore::detail {
namespace {

// A per-thread panel of at least `floats` floats, kept across calls (fresh pages are slow to touch).
inline float* panel_scratch(size_t floats) {
  thread_local std::vector<float> buf;
  if (buf.size() < floats) buf.resize(floats);
  return buf.data();
}

// Height of strip number `strip` when nq rows are cut into ceil(nq / mr) near-equal strips
// (64 rows at mr = 14: 5 x 13, not 4 x 14 + 8; a short strip loads the panel for fewer FMAs).
inline size_t strip_rows(size_t nq, size_t strip, size_t mr) {
  const size_t strips = (nq + mr - 1) / mr;
  return nq / strips + (strip < nq % strips ? 1 : 0);
}

// Raw gallery rows to prefetch for the panel after the one at j0 (panel columns wide): that
// panel's rows, or after the last one a panel's worth past the block, since callers walk the
// gallery block by block and those rows are usually next (a prefetch is a hint, never a fault).
inline size_t next_panel_rows(size_t j0, size_t ng, size_t panel) {
  return j0 + panel < ng ? std::min(panel, ng - j0 - panel) : panel;
}

}  // namespace
}  // namespace facecore::detail
