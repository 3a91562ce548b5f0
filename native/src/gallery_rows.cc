#include "facecore/gallery_rows.h"

#include <algorithm>
#include <vector>

#include "facecore/quantize.h"
#include "score_tile.h"

namespace facecore {

// A few hundred rows at a time through a small buffer: normalising all rows into one n x dim
// scratch cost more in fresh-page faults than the encoding itself.
constexpr size_t kEncodeChunkRows = 256;

Status encode_rows(const float* x, size_t n, size_t dim, Storage storage, bool normalize, void* out, float* scales) {
  const size_t chunk = std::min(n, kEncodeChunkRows);
  std::vector<float> unit(normalize ? chunk * dim : 0), inv(chunk);
  for (size_t r0 = 0; r0 < n; r0 += kEncodeChunkRows) {
    const size_t rn = std::min(kEncodeChunkRows, n - r0);
    const float* rows = x + r0 * dim;
    if (!detail::all_finite(rows, rn * dim)) return Status::kNonFinite;
    if (normalize) {
      detail::inverse_norms(rows, rn, dim, inv.data());
      for (size_t i = 0; i < rn; ++i)
        for (size_t k = 0; k < dim; ++k) unit[i * dim + k] = rows[i * dim + k] * inv[i];
      rows = unit.data();
    }
    switch (storage) {
      case Storage::kF32: std::copy(rows, rows + rn * dim, static_cast<float*>(out) + r0 * dim); break;
      case Storage::kF16: f32_to_f16(rows, rn * dim, static_cast<uint16_t*>(out) + r0 * dim); break;
      case Storage::kI8: quantize_i8(rows, rn, dim, static_cast<int8_t*>(out) + r0 * dim, scales + r0); break;
    }
  }
  return Status::kOk;
}

void decode_rows(const void* data, const float* scales, Storage storage, size_t dim, size_t row, size_t rows,
                 float* out) {
  const size_t first = row * dim, count = rows * dim;
  switch (storage) {
    case Storage::kF32: std::copy_n(static_cast<const float*>(data) + first, count, out); break;
    case Storage::kF16: f16_to_f32(static_cast<const uint16_t*>(data) + first, count, out); break;
    case Storage::kI8: dequantize_i8(static_cast<const int8_t*>(data) + first, scales + row, rows, dim, out); break;
  }
}

}  // namespace facecore
