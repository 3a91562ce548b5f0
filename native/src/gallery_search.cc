#include "facecore/gallery_search.h"

#include <algorithm>
#include <vector>

#include "facecore/block_scan.h"
#include "facecore/cpu_features.h"
#include "facecore/quantize.h"
#include "facecore/result_handlers.h"
#include "score_tile.h"
#include "stored_tiles.h"

namespace facecore {
namespace detail {

DotBlockF16Fn dot_block_f16() {
#if defined(FACECORE_X86)
  switch (active_isa(Kernel::kGeneral)) {
    case Isa::kAvx512: return dot_block_f16_avx512;
    case Isa::kAvx2: return dot_block_f16_avx2;
    default: break;
  }
#endif
  return dot_block_f16_scalar;
}

DotBlockI8Fn dot_block_i8() {
#if defined(FACECORE_X86)
  switch (active_isa(Kernel::kI8Dot)) {
    case Isa::kAvx512: return dot_block_i8_avx512;
    case Isa::kAvx2: return dot_block_i8_avx2;
    default: break;
  }
#endif
  return dot_block_i8_scalar;
}

}  // namespace detail

namespace {

// Identity scores: per (part, query) one running max or sum per label over candidate rows.
class LabelAggregateHandler {
 public:
  LabelAggregateHandler(const StoredRows& rows, const int32_t* labels, size_t n_labels, bool mean, size_t nq,
                        int parts)
      : rows_(rows), labels_(labels), n_labels_(n_labels), mean_(mean), nq_(nq), parts_(parts),
        agg_(static_cast<size_t>(parts) * nq * n_labels, mean ? 0.0f : kNoScore) {}

  void add(int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* s, size_t lds) {
    for (size_t i = 0; i < qn; ++i) {
      float* a = agg_.data() + (static_cast<size_t>(part) * nq_ + q0 + i) * n_labels_;
      const float* row = s + i * lds;
      for (size_t j = 0; j < gn; ++j) {
        if (rows_.mask != nullptr && rows_.mask[g0 + j] == 0) continue;
        float& slot = a[labels_[g0 + j]];
        slot = mean_ ? slot + row[j] : std::max(slot, row[j]);
      }
    }
  }

  // Query i's label scores, parts combined in order (-Inf for a label without candidates).
  void merge(size_t i, const std::vector<uint32_t>& count, std::vector<float>* out) const {
    out->assign(n_labels_, mean_ ? 0.0f : kNoScore);
    for (int p = 0; p < parts_; ++p) {
      const float* a = agg_.data() + (static_cast<size_t>(p) * nq_ + i) * n_labels_;
      for (size_t l = 0; l < n_labels_; ++l) (*out)[l] = mean_ ? (*out)[l] + a[l] : std::max((*out)[l], a[l]);
    }
    for (size_t l = 0; l < n_labels_; ++l)
      (*out)[l] = count[l] == 0 ? kNoScore : mean_ ? (*out)[l] / static_cast<float>(count[l]) : (*out)[l];
  }

 private:
  const StoredRows& rows_;
  const int32_t* labels_;
  size_t n_labels_;
  bool mean_;
  size_t nq_;
  int parts_;
  std::vector<float> agg_;
};

}  // namespace

Status index_topk(const float* queries, size_t nq, const StoredRows& rows, size_t k, Metric metric,
                  int32_t* indices, float* scores, int threads, float min_score) {
  const size_t kk = std::min(k, rows.n);
  if (nq == 0 || kk == 0) return Status::kOk;
  const StoredTiles tiles(rows, queries, nq, metric == Metric::kCosine);
  if (!tiles.queries_finite()) return Status::kNonFinite;
  return scan_top_k(plan_scan(nq, rows.n, tiles.block_rows(), threads), tiles, kk, min_score, indices, scores);
}

Status index_top_labels(const float* queries, size_t nq, const StoredRows& rows, const int32_t* labels,
                        size_t n_labels, Aggregate aggregate, size_t k, Metric metric, int32_t* out_labels,
                        float* out_scores, int threads, float min_score) {
  const size_t kk = std::min(k, n_labels);
  if (nq == 0 || kk == 0) return Status::kOk;
  const bool cosine = metric == Metric::kCosine, mean = aggregate == Aggregate::kMean;

  // Candidate rows per label (the denominator of the mean; 0 = the label is absent).
  std::vector<uint32_t> count(n_labels, 0);
  for (size_t r = 0; r < rows.n; ++r)
    if (rows.mask == nullptr || rows.mask[r] != 0) ++count[labels[r]];

  // One part per thread: every part holds n_labels aggregates per query, and fewer parts
  // mean larger query groups, so fewer passes over the gallery.
  const size_t block = scan_block_rows(rows.dim, storage_bytes(rows.storage));
  const int parts = plan_scan(nq, rows.n, block, threads, 1).parts;
  const size_t budget = tuning::kLabelAggregateBytes / sizeof(float);
  const size_t group = std::clamp<size_t>(budget / (static_cast<size_t>(parts) * n_labels), 1, nq);
  std::vector<float> merged;
  std::vector<Hit> best;
  const float floor = floor_below(min_score);
  for (size_t qa = 0; qa < nq; qa += group) {
    const size_t qg = std::min(group, nq - qa);
    const StoredTiles tiles(rows, queries + qa * rows.dim, qg, cosine);
    if (!tiles.queries_finite()) return Status::kNonFinite;
    const ScanGrid grid = plan_scan(qg, rows.n, block, threads, 1);
    LabelAggregateHandler handler(rows, labels, n_labels, mean, qg, grid.parts);
    if (!block_scan(grid, tiles, handler)) return Status::kNonFinite;
    for (size_t i = 0; i < qg; ++i) {
      handler.merge(i, count, &merged);
      best.clear();
      for (size_t l = 0; l < n_labels; ++l)
        if (merged[l] > floor) best.push_back({merged[l], static_cast<int32_t>(l)});
      write_best(best, kk, out_labels + (qa + i) * kk, out_scores + (qa + i) * kk);
    }
  }
  return Status::kOk;
}

}  // namespace facecore
