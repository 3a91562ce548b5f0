#include "facecore/gallery_search.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/parallel.h"
#include "facecore/quantize.h"
#include "score_tile.h"
#include "topk_handler.h"

namespace facecore {
namespace detail {

DotBlockF16Fn dot_block_f16() {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return dot_block_f16_avx512;
    case Isa::kAvx2: return dot_block_f16_avx2;
    default: break;
  }
#endif
  return dot_block_f16_scalar;
}

DotBlockI8Fn dot_block_i8() {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return dot_block_i8_avx512;
    case Isa::kAvx2: return dot_block_i8_avx2;
    default: break;
  }
#endif
  return dot_block_i8_scalar;
}

}  // namespace detail

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

constexpr size_t kWidenF16MinRows = 8;

size_t element_bytes(Storage s) { return s == Storage::kF32 ? 4 : s == Storage::kF16 ? 2 : 1; }

// ~192 KiB of stored rows per block (as gallery_block_rows does for float32), so a block
// stays in L2 while every query chunk passes over it.
size_t block_rows(const StoredRows& rows) {
  const size_t r = (192 * 1024) / (rows.dim * element_bytes(rows.storage));
  return std::clamp<size_t>(r / 12 * 12, 12, 1536);
}

// The queries as each storage wants them: float32 (normalised for cosine), and for int8
// storage int16 codes with one scale per query.
struct Queries {
  const float* f = nullptr;
  std::vector<float> normalised;
  std::vector<int16_t> codes;
  std::vector<float> scales;

  bool prepare(const float* q, size_t nq, size_t dim, bool cosine, Storage storage) {
    std::vector<float> inv(nq);
    detail::inverse_norms(q, nq, dim, inv.data());
    if (!detail::all_finite(inv.data(), nq)) return false;
    f = q;
    if (cosine) {
      normalised.resize(nq * dim);
      for (size_t i = 0; i < nq; ++i)
        for (size_t k = 0; k < dim; ++k) normalised[i * dim + k] = q[i * dim + k] * inv[i];
      f = normalised.data();
    }
    if (storage == Storage::kI8) {
      codes.resize(nq * dim);
      scales.resize(nq);
      quantize_i16(f, nq, dim, codes.data(), scales.data());
    }
    return true;
  }
};

// Scans the stored rows in blocks, one contiguous range of blocks per part (thread), and
// hands every finished (query chunk x block) score tile to sink(part, q0, qn, g0, gn, tile, lds).
// Rows outside the mask score -Inf. Returns false on a non-finite score.
template <class Sink>
bool scan(const Queries& q, size_t nq, const StoredRows& rows, bool cosine, int parts, Sink&& sink) {
  const size_t dim = rows.dim, gb = block_rows(rows), qc = detail::kQueryChunk;
  const size_t n_blocks = (rows.n + gb - 1) / gb;
  const auto f32_kernel = detail::dot_block();
  const auto f16_kernel = detail::dot_block_f16();
  const auto i8_kernel = detail::dot_block_i8();
  // Many queries: each float16 block is widened once, then runs through the float32 kernel
  // (its packed GEMM from 24 rows) instead of being converted again for every query strip.
  const bool widen_f16 = rows.storage == Storage::kF16 && nq >= kWidenF16MinRows;
  std::atomic<bool> bad{false};
  parallel_for(parts, parts, [&](int part) {
    size_t b_begin, b_end;
    split_range(n_blocks, parts, part, &b_begin, &b_end);
    const size_t tile_rows = std::min(qc, nq);
    std::vector<float> tile(tile_rows * gb);
    std::vector<int32_t> itile(rows.storage == Storage::kI8 ? tile_rows * gb : 0);
    std::vector<float> wide(widen_f16 ? gb * dim : 0);
    for (size_t blk = b_begin; blk < b_end; ++blk) {
      const size_t g0 = blk * gb, gn = std::min(gb, rows.n - g0);
      if (widen_f16) f16_to_f32(static_cast<const uint16_t*>(rows.data) + g0 * dim, gn * dim, wide.data());
      for (size_t q0 = 0; q0 < nq; q0 += qc) {
        const size_t qn = std::min(qc, nq - q0);
        switch (rows.storage) {
          case Storage::kF32:
            f32_kernel(q.f + q0 * dim, qn, static_cast<const float*>(rows.data) + g0 * dim, gn, dim, tile.data(), gb,
                       nullptr);
            break;
          case Storage::kF16:
            if (widen_f16) {
              f32_kernel(q.f + q0 * dim, qn, wide.data(), gn, dim, tile.data(), gb, nullptr);
            } else {
              f16_kernel(q.f + q0 * dim, qn, static_cast<const uint16_t*>(rows.data) + g0 * dim, gn, dim,
                         tile.data(), gb);
            }
            break;
          case Storage::kI8:
            i8_kernel(q.codes.data() + q0 * dim, qn, static_cast<const int8_t*>(rows.data) + g0 * dim, gn, dim,
                      itile.data(), gb);
            break;
        }
        uint32_t non_finite = 0;
        for (size_t i = 0; i < qn; ++i) {
          float* row = tile.data() + i * gb;
          if (rows.storage == Storage::kI8) {
            const int32_t* irow = itile.data() + i * gb;
            const float qs = q.scales[q0 + i];
            for (size_t j = 0; j < gn; ++j) row[j] = static_cast<float>(irow[j]) * (qs * rows.scales[g0 + j]);
          }
          non_finite |= !detail::tile_finite(row, gb, 1, gn);
          if (cosine)
            for (size_t j = 0; j < gn; ++j) row[j] = row[j] > 1.0f ? 1.0f : (row[j] < -1.0f ? -1.0f : row[j]);
          if (rows.mask != nullptr)
            for (size_t j = 0; j < gn; ++j) row[j] = rows.mask[g0 + j] == 0 ? kNegInf : row[j];
        }
        if (non_finite != 0) {
          bad.store(true, std::memory_order_relaxed);
          return;
        }
        sink(part, q0, qn, g0, gn, tile.data(), gb);
      }
    }
  });
  return !bad.load();
}

int parts_for(const StoredRows& rows, int threads) {
  const size_t gb = block_rows(rows), n_blocks = (rows.n + gb - 1) / gb;
  return static_cast<int>(std::max<size_t>(1, std::min<size_t>(std::max(threads, 1), n_blocks)));
}

}  // namespace

Status index_topk(const float* queries, size_t nq, const StoredRows& rows, size_t k, Metric metric,
                  int32_t* indices, float* scores, int threads) {
  const size_t kk = std::min(k, rows.n);
  if (nq == 0 || kk == 0) return Status::kOk;
  const bool cosine = metric == Metric::kCosine;
  Queries q;
  if (!q.prepare(queries, nq, rows.dim, cosine, rows.storage)) return Status::kNonFinite;

  const int parts = parts_for(rows, threads);
  std::vector<detail::Hit> hits(static_cast<size_t>(parts) * nq * kk);
  std::vector<detail::TopKHeap> heaps(static_cast<size_t>(parts) * nq);
  for (size_t h = 0; h < heaps.size(); ++h) heaps[h].reset(hits.data() + h * kk, kk);
  const bool ok = scan(q, nq, rows, cosine, parts,
                       [&](int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* tile, size_t lds) {
                         detail::TopKHeap* mine = heaps.data() + static_cast<size_t>(part) * nq + q0;
                         for (size_t i = 0; i < qn; ++i) mine[i].offer(tile + i * lds, gn, static_cast<int32_t>(g0), detail::first_above());
                       });
  if (!ok) return Status::kNonFinite;

  // Merge the parts' hits in (score desc, index asc) order; masked rows (-Inf) never count.
  std::vector<detail::Hit> merged;
  for (size_t i = 0; i < nq; ++i) {
    merged.clear();
    for (int p = 0; p < parts; ++p) {
      const auto& h = heaps[static_cast<size_t>(p) * nq + i];
      merged.insert(merged.end(), h.begin(), h.end());
    }
    const size_t m = std::min(kk, merged.size());
    std::partial_sort(merged.begin(), merged.begin() + m, merged.end(), detail::better);
    for (size_t r = 0; r < kk; ++r) {
      const bool real = r < m && merged[r].score != kNegInf;
      indices[i * kk + r] = real ? merged[r].index : -1;
      scores[i * kk + r] = real ? merged[r].score : kNegInf;
    }
  }
  return Status::kOk;
}

Status index_top_labels(const float* queries, size_t nq, const StoredRows& rows, const int32_t* labels,
                        size_t n_labels, Aggregate aggregate, size_t k, Metric metric, int32_t* out_labels,
                        float* out_scores, int threads) {
  const size_t kk = std::min(k, n_labels);
  if (nq == 0 || kk == 0) return Status::kOk;
  const bool cosine = metric == Metric::kCosine, mean = aggregate == Aggregate::kMean;
  Queries q;
  if (!q.prepare(queries, nq, rows.dim, cosine, rows.storage)) return Status::kNonFinite;

  // Candidate rows per label (the denominator of the mean; 0 = the label is absent).
  std::vector<uint32_t> count(n_labels, 0);
  for (size_t r = 0; r < rows.n; ++r)
    if (rows.mask == nullptr || rows.mask[r] != 0) ++count[labels[r]];

  // Per part and query, one running aggregate per label. Queries go in groups small enough
  // that these buffers stay under ~64 MiB however many labels there are.
  const int parts = parts_for(rows, threads);
  const size_t budget = (64u << 20) / sizeof(float);
  const size_t group = std::clamp<size_t>(budget / (static_cast<size_t>(parts) * n_labels), 1, nq);
  const float init = mean ? 0.0f : kNegInf;
  std::vector<float> agg, merged(n_labels);
  std::vector<detail::Hit> hits(kk);
  detail::TopKHeap heap;
  for (size_t qa = 0; qa < nq; qa += group) {
    const size_t qg = std::min(group, nq - qa);
    agg.assign(static_cast<size_t>(parts) * qg * n_labels, init);
    Queries sub;
    sub.f = q.f + qa * rows.dim;
    if (rows.storage == Storage::kI8) {
      sub.codes.assign(q.codes.begin() + qa * rows.dim, q.codes.begin() + (qa + qg) * rows.dim);
      sub.scales.assign(q.scales.begin() + qa, q.scales.begin() + qa + qg);
    }
    const bool ok = scan(sub, qg, rows, cosine, parts,
                         [&](int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* tile, size_t lds) {
                           for (size_t i = 0; i < qn; ++i) {
                             float* a = agg.data() + (static_cast<size_t>(part) * qg + q0 + i) * n_labels;
                             const float* row = tile + i * lds;
                             for (size_t j = 0; j < gn; ++j) {
                               if (rows.mask != nullptr && rows.mask[g0 + j] == 0) continue;
                               float& slot = a[labels[g0 + j]];
                               slot = mean ? slot + row[j] : std::max(slot, row[j]);
                             }
                           }
                         });
    if (!ok) return Status::kNonFinite;
    for (size_t i = 0; i < qg; ++i) {
      std::fill(merged.begin(), merged.end(), init);
      for (int p = 0; p < parts; ++p) {
        const float* a = agg.data() + (static_cast<size_t>(p) * qg + i) * n_labels;
        for (size_t l = 0; l < n_labels; ++l) merged[l] = mean ? merged[l] + a[l] : std::max(merged[l], a[l]);
      }
      for (size_t l = 0; l < n_labels; ++l)
        merged[l] = count[l] == 0 ? kNegInf : mean ? merged[l] / static_cast<float>(count[l]) : merged[l];
      heap.reset(hits.data(), kk);
      heap.offer(merged.data(), n_labels, 0, detail::first_above());
      std::vector<detail::Hit> best(heap.begin(), heap.end());
      std::sort(best.begin(), best.end(), detail::better);
      for (size_t r = 0; r < kk; ++r) {
        const bool real = r < best.size() && best[r].score != kNegInf;
        out_labels[(qa + i) * kk + r] = real ? best[r].index : -1;
        out_scores[(qa + i) * kk + r] = real ? best[r].score : kNegInf;
      }
    }
  }
  return Status::kOk;
}

}  // namespace facecore
