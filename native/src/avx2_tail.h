// The AVX2 tail mask shared by every *_avx2.cc kernel: the first n of 8 lanes set, for
// vmaskmovps loads of a row's last, partial vector. Include only from AVX2 translation units.
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace facecore::detail {

inline __m256i avx2_tail_mask(size_t n) {
  alignas(32) static const int kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - n));
}

}  // namespace facecore::detail
