// Tile producer for block_scan over a gallery's stored rows (float32, float16 or int8): the
// gallery search, identity search and the k-NN graph.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "facecore/gallery_search.h"
#include "facecore/quantize.h"
#include "facecore/result_handlers.h"
#include "facecore/scan_tuning.h"
#include "facecore/search_i8_wide.h"
#include "score_tile.h"

namespace facecore {

// Tiles of stored rows. The queries are float32 (normalised for cosine, as the rows were when
// stored), and for int8 storage int16 codes with one scale per query. The k-NN graph passes
// rows [r0, n) as the rows and rows [r0, r1), in float32, as the queries.
class StoredTiles {
 public:
  struct Scratch {
    std::vector<int32_t> itile;  // int8: exact integer scores
    std::vector<float> wide;     // float16, many queries: the block widened to float32
    std::vector<int16_t> wide_i8;  // int8, many queries: the block widened to int16
  };

  StoredTiles(const StoredRows& rows, const float* q, size_t nq, bool cosine) : rows_(rows), nq_(nq), cosine_(cosine) {
    const size_t dim = rows.dim;
    std::vector<float> inv(nq);
    detail::inverse_norms(q, nq, dim, inv.data());
    finite_ = detail::all_finite(inv.data(), nq);
    f_ = q;
    if (cosine && finite_) {
      normalised_.resize(nq * dim);
      for (size_t i = 0; i < nq; ++i)
        for (size_t k = 0; k < dim; ++k) normalised_[i * dim + k] = q[i * dim + k] * inv[i];
      f_ = normalised_.data();
    }
    widen_ = rows.storage == Storage::kF16 && nq >= tuning::kWidenF16MinRows;
    wide_i8_ = rows.storage == Storage::kI8 && nq >= detail::wide_i8_min_rows();
    if (rows.storage == Storage::kI8 && finite_) {
      // Wide: rows padded to the kernel's stride with zeros, as the widened block rows are.
      q_stride_ = wide_i8_ ? detail::wide_i8_stride(dim) : dim;
      codes_.assign(nq * q_stride_, 0);
      scales_.resize(nq);
      for (size_t i = 0; i < nq; ++i) quantize_i16(f_ + i * dim, 1, dim, codes_.data() + i * q_stride_, &scales_[i]);
    }
  }

  bool queries_finite() const { return finite_; }
  size_t block_rows() const { return scan_block_rows(rows_.dim, storage_bytes(rows_.storage)); }

  Scratch scratch(size_t tile_rows) const {
    Scratch s;
    if (rows_.storage == Storage::kI8) s.itile.resize(tile_rows * block_rows());
    if (widen_) s.wide.resize(block_rows() * rows_.dim);
    if (wide_i8_) s.wide_i8.resize(block_rows() * detail::wide_i8_stride(rows_.dim));
    return s;
  }

  void begin_block(Scratch& s, size_t g0, size_t gn) const {
    if (widen_) f16_to_f32(static_cast<const uint16_t*>(rows_.data) + g0 * rows_.dim, gn * rows_.dim, s.wide.data());
    if (wide_i8_)
      detail::widen_i8_rows(static_cast<const int8_t*>(rows_.data) + g0 * rows_.dim, gn, rows_.dim, s.wide_i8.data());
  }

  bool tile(Scratch& s, size_t q0, size_t qn, size_t g0, size_t gn, float* tile, size_t lds) const {
    const size_t dim = rows_.dim;
    const float* q = f_ + q0 * dim;
    switch (rows_.storage) {
      case Storage::kF32:
        f32_(q, qn, static_cast<const float*>(rows_.data) + g0 * dim, gn, dim, tile, lds, nullptr);
        break;
      case Storage::kF16:
        if (widen_) f32_(q, qn, s.wide.data(), gn, dim, tile, lds, nullptr);
        else f16_(q, qn, static_cast<const uint16_t*>(rows_.data) + g0 * dim, gn, dim, tile, lds);
        break;
      case Storage::kI8:
        if (wide_i8_)
          wide_i8_fn_(codes_.data() + q0 * q_stride_, qn, s.wide_i8.data(), gn, q_stride_, s.itile.data(), lds);
        else
          i8_(codes_.data() + q0 * dim, qn, static_cast<const int8_t*>(rows_.data) + g0 * dim, gn, dim,
              s.itile.data(), lds);
        break;
    }
    uint32_t non_finite = 0;
    for (size_t i = 0; i < qn; ++i) {
      float* row = tile + i * lds;
      if (rows_.storage == Storage::kI8) {
        const int32_t* irow = s.itile.data() + i * lds;
        const float qs = scales_[q0 + i];
        for (size_t j = 0; j < gn; ++j) row[j] = static_cast<float>(irow[j]) * (qs * rows_.scales[g0 + j]);
      }
      non_finite |= !detail::tile_finite(row, lds, 1, gn);
      if (cosine_)
        for (size_t j = 0; j < gn; ++j) row[j] = row[j] > 1.0f ? 1.0f : (row[j] < -1.0f ? -1.0f : row[j]);
      if (rows_.mask != nullptr)
        for (size_t j = 0; j < gn; ++j) row[j] = rows_.mask[g0 + j] == 0 ? kNoScore : row[j];
    }
    return non_finite == 0;
  }

 private:
  const StoredRows& rows_;
  size_t nq_;
  bool cosine_, finite_ = true, widen_ = false, wide_i8_ = false;
  size_t q_stride_ = 0;  // int8: elements per query code row
  const float* f_ = nullptr;
  std::vector<float> normalised_, scales_;
  std::vector<int16_t> codes_;
  detail::DotBlockFn f32_ = detail::dot_block();
  detail::DotBlockF16Fn f16_ = detail::dot_block_f16();
  detail::DotBlockI8Fn i8_ = detail::dot_block_i8();
  detail::DotWideI8Fn wide_i8_fn_ = detail::dot_wide_i8();
};

}  // namespace facecore
