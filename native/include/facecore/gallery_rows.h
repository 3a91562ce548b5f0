// A gallery's stored rows: float32, float16 or int8 (one scale per row), and the kernels that
// write them (encode: normalise for cosine, then convert / quantise) and read them back.
#pragma once

#include <cstddef>
#include <cstdint>

#include "facecore/similarity.h"

namespace facecore {

enum class Storage : int { kF32 = 0, kF16 = 1, kI8 = 2 };

inline size_t storage_bytes(Storage s) { return s == Storage::kF32 ? 4 : s == Storage::kF16 ? 2 : 1; }

// rows x dim float32 -> stored form in `out` (float / uint16 binary16 / int8 per storage) and,
// for int8, one scale per row in `scales`. normalize: L2-normalise each row first (cosine).
// kNonFinite (nothing guaranteed about out) when a row is not finite.
Status encode_rows(const float* x, size_t rows, size_t dim, Storage storage, bool normalize, void* out,
                   float* scales);

// Stored rows [row, row + rows) -> float32 (dequantised for int8).
void decode_rows(const void* data, const float* scales, Storage storage, size_t dim, size_t row, size_t rows,
                 float* out);

}  // namespace facecore
