#include "facecore/search_i8_wide.h"

#include <algorithm>

#include "facecore/cpu_features.h"
#include "facecore/scan_tuning.h"

namespace facecore::detail {

void widen_i8_rows(const int8_t* rows, size_t ng, size_t dim, int16_t* wide) {
  const size_t stride = wide_i8_stride(dim);
  for (size_t j = 0; j < ng; ++j) {
    int16_t* out = wide + j * stride;
    std::copy(rows + j * dim, rows + (j + 1) * dim, out);
    std::fill(out + dim, out + stride, int16_t{0});
  }
}

DotWideI8Fn dot_wide_i8() {
#if defined(FACECORE_X86)
  switch (active_isa(Kernel::kI8Dot)) {
    case Isa::kAvx512: return dot_wide_i8_avx512;
    case Isa::kAvx2: return dot_wide_i8_avx2;
    default: break;
  }
#endif
  return dot_wide_i8_scalar;
}

size_t wide_i8_min_rows() {
#if defined(FACECORE_X86)
  if (active_isa(Kernel::kI8Dot) == Isa::kAvx512) return tuning::kWidenI8MinRows;
#endif
  return tuning::kWidenI8MinRowsAvx2;
}

}  // namespace facecore::detail
