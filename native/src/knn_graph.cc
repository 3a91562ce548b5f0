#include "facecore/knn_graph.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "facecore/block_scan.h"
#include "facecore/quantize.h"
#include "facecore/result_handlers.h"
#include "raw_f32_tiles.h"
#include "stored_tiles.h"

namespace facecore {
namespace {

// Whether any of 8 scores is over its bar: two 4-wide compares (GCC vector extensions, SSE on
// x86-64 and NEON on arm64); a plain loop compiled to 8 compares and branches.
bool any_over8(const float* s, const float* bar) {
  using F4 = float __attribute__((vector_size(16)));
  using I4 = int32_t __attribute__((vector_size(16)));
  F4 s0, s1, b0, b1;
  std::memcpy(&s0, s, 16);
  std::memcpy(&s1, s + 4, 16);
  std::memcpy(&b0, bar, 16);
  std::memcpy(&b1, bar + 4, 16);
  const I4 over = (s0 > b0) | (s1 > b1);
  uint64_t w[2];
  std::memcpy(w, &over, 16);
  return (w[0] | w[1]) != 0;
}

// Both rows of every scored pair: query row i takes gallery row j > i from the tile's row, and
// gallery row j takes query row i < j from the tile's column (copied out contiguous first, so
// both go through the states' vectorised first_above). Coordinates in tiles are local to the
// chunk (row r0 + x). State per (part, row) over all n rows: a part is one thread's at a time,
// and the states keep the best k in a total order, so the order rows arrive in does not matter.
template <class State>
class SelfJoinHandler {
 public:
  SelfJoinHandler(size_t n, int parts, size_t block, State proto)
      : all_(n, parts, proto), proto_(proto), columns_(static_cast<size_t>(parts)),
        column_floats_(tuning::kQueryChunk * block) {}

  void start_chunk(size_t r0) { r0_ = r0; }

  void add(int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* s, size_t lds) {
    const auto above = detail::first_above();
    for (size_t i = 0; i < qn; ++i) {
      const size_t from = q0 + i + 1 > g0 ? q0 + i + 1 - g0 : 0;  // first column past the diagonal
      if (from < gn) all_.at(part, r0_ + q0 + i).offer(s + i * lds + from, gn - from, row(g0 + from), above);
    }
    std::vector<float>& col = columns_[static_cast<size_t>(part)];
    if (col.empty()) col.resize(column_floats_);
    if (g0 >= q0 + qn) {
      // Above the diagonal (most tiles): each column's bar (what may still enter its row's
      // state) against the tile row by row, contiguous, 8 at a time; only the scores over
      // their bar are offered, one by one, instead of transposing every column first.
      float* bar = col.data();
      for (size_t j = 0; j < gn; ++j) bar[j] = all_.at(part, r0_ + g0 + j).bar();
      for (size_t i = 0; i < qn; ++i) {
        const float* si = s + i * lds;
        for (size_t j0 = 0; j0 < gn; j0 += 8) {
          const size_t m = std::min<size_t>(8, gn - j0);
          if (m == 8 && !any_over8(si + j0, bar + j0)) continue;
          for (size_t j = j0; j < j0 + m; ++j) {
            if (!(si[j] > bar[j])) continue;
            State& state = all_.at(part, r0_ + g0 + j);
            state.offer(si + j, 1, row(q0 + i), above);
            bar[j] = state.bar();
          }
        }
      }
      return;
    }
    for (size_t i = 0; i < qn; ++i)
      for (size_t j = 0; j < gn; ++j) col[j * qn + i] = s[i * lds + j];
    for (size_t j = 0; j < gn; ++j) {
      const size_t upto = std::min(qn, g0 + j > q0 ? g0 + j - q0 : 0);  // query rows before the diagonal
      if (upto > 0) all_.at(part, r0_ + g0 + j).offer(col.data() + j * qn, upto, row(q0), above);
    }
  }

  // Rows [r0, r1) are complete: their best k (padded -1 / -Inf), states released.
  void write(size_t r0, size_t r1, size_t k, int parts, int32_t* indices, float* scores) {
    std::vector<Hit> hits;
    for (size_t i = r0; i < r1; ++i) {
      all_.gather(i, &hits);
      write_best(hits, k, indices + i * k, scores + i * k);
      for (int p = 0; p < parts; ++p) all_.at(p, i) = proto_;
    }
  }

 private:
  int32_t row(size_t local) const { return static_cast<int32_t>(r0_ + local); }

  PerPartHandler<State> all_;
  State proto_;
  std::vector<std::vector<float>> columns_;  // per part: a tile transposed
  size_t column_floats_;
  size_t r0_ = 0;
};

// Runs the self-join in chunks of kKnnChunkRows query rows: chunk [r0, r1) against rows [r0, n)
// (the pairs with an earlier row were scored by earlier chunks), after which rows [r0, r1) have
// all their pairs. tiles(r0, r1, run) builds the chunk's producer and calls run(producer);
// it returns false when the chunk's query rows are not finite.
template <class Tiles>
KnnStatus self_join(size_t n, size_t block, size_t k, float min_score, int threads, const KnnControl& control,
                    Tiles&& tiles, int32_t* indices, float* scores) {
  const int parts = plan_scan(n, n, block, threads, kKnnPartsPerThread).parts;
  return with_best_k_state(k, min_score, [&](auto proto) {
    SelfJoinHandler<decltype(proto)> handler(n, parts, block, proto);
    for (size_t r0 = 0; r0 < n; r0 += kKnnChunkRows) {
      if (control.abort && control.abort->load(std::memory_order_relaxed) != 0) return KnnStatus::kAborted;
      const size_t r1 = std::min(n, r0 + kKnnChunkRows);
      ScanGrid grid = plan_scan(r1 - r0, n - r0, block, threads, kKnnPartsPerThread);
      grid.self_join = true;
      handler.start_chunk(r0);
      const bool ok = tiles(r0, r1, [&](const auto& producer) { return block_scan(grid, producer, handler); });
      if (!ok) return KnnStatus::kNonFinite;
      handler.write(r0, r1, k, parts, indices, scores);
      if (control.rows_done) control.rows_done->store(static_cast<int32_t>(r1), std::memory_order_relaxed);
    }
    return KnnStatus::kOk;
  });
}

// Rows [r0, n) of stored rows, as a StoredRows of their own.
StoredRows rows_from(const StoredRows& rows, size_t r0) {
  StoredRows v = rows;
  v.data = static_cast<const char*>(rows.data) + r0 * rows.dim * storage_bytes(rows.storage);
  if (rows.scales != nullptr) v.scales = rows.scales + r0;
  v.n = rows.n - r0;
  return v;
}

// Stored rows (float16 / int8) against themselves; the queries are float32: `f32` when the
// caller has the rows in float32, else decoded from the stored rows chunk by chunk.
KnnStatus stored_self_join(const StoredRows& rows, const float* f32, size_t k, Metric metric, float min_score,
                           int32_t* indices, float* scores, int threads, const KnnControl& control) {
  const size_t dim = rows.dim;
  std::vector<float> decoded;
  auto tiles = [&](size_t r0, size_t r1, auto&& run) {
    const size_t nr = r1 - r0;
    if (f32 == nullptr) {
      decoded.resize(nr * dim);
      if (rows.storage == Storage::kF16)
        f16_to_f32(static_cast<const uint16_t*>(rows.data) + r0 * dim, nr * dim, decoded.data());
      else
        dequantize_i8(static_cast<const int8_t*>(rows.data) + r0 * dim, rows.scales + r0, nr, dim, decoded.data());
    }
    const StoredRows from = rows_from(rows, r0);
    const StoredTiles producer(from, f32 != nullptr ? f32 + r0 * dim : decoded.data(), nr, metric == Metric::kCosine);
    return producer.queries_finite() && run(producer);
  };
  const size_t block = scan_block_rows(dim, storage_bytes(rows.storage));
  return self_join(rows.n, block, k, min_score, threads, control, tiles, indices, scores);
}

}  // namespace

KnnStatus knn_graph(const StoredRows& rows, size_t k, Metric metric, float min_score, int32_t* indices,
                    float* scores, int threads, const KnnControl& control) {
  const size_t n = rows.n, dim = rows.dim;
  const size_t kk = n == 0 ? 0 : std::min(k, n - 1);
  if (kk == 0) return KnnStatus::kOk;
  if (rows.storage != Storage::kF32)
    return stored_self_join(rows, nullptr, kk, metric, min_score, indices, scores, threads, control);
  const float* x = static_cast<const float*>(rows.data);
  auto tiles = [&](size_t r0, size_t r1, auto&& run) {
    const detail::RawF32Tiles producer(x + r0 * dim, r1 - r0, x + r0 * dim, dim, metric);
    return producer.queries_finite() && run(producer);
  };
  return self_join(n, scan_block_rows(dim, sizeof(float)), kk, min_score, threads, control, tiles, indices, scores);
}

KnnStatus knn_graph_i8(const float* x, size_t n, size_t dim, size_t k, Metric metric, float min_score,
                       int32_t* indices, float* scores, int threads, const KnnControl& control) {
  const size_t kk = n == 0 ? 0 : std::min(k, n - 1);
  if (kk == 0) return KnnStatus::kOk;
  // Rows quantised as a FaceIndex stores them: L2-normalised first for cosine, a chunk at a time.
  std::vector<int8_t> codes(n * dim);
  std::vector<float> scales(n), unit, inv;
  for (size_t r0 = 0; r0 < n; r0 += kKnnChunkRows) {
    const size_t nr = std::min(kKnnChunkRows, n - r0);
    const float* src = x + r0 * dim;
    if (metric == Metric::kCosine) {
      inv.resize(nr);
      unit.resize(nr * dim);
      detail::inverse_norms(src, nr, dim, inv.data());
      if (!detail::all_finite(inv.data(), nr)) return KnnStatus::kNonFinite;
      for (size_t i = 0; i < nr; ++i)
        for (size_t c = 0; c < dim; ++c) unit[i * dim + c] = src[i * dim + c] * inv[i];
      src = unit.data();
    }
    if (!detail::all_finite(src, nr * dim)) return KnnStatus::kNonFinite;
    quantize_i8(src, nr, dim, codes.data() + r0 * dim, scales.data() + r0);
  }
  const StoredRows rows{Storage::kI8, codes.data(), scales.data(), n, dim, nullptr};
  return stored_self_join(rows, x, kk, metric, min_score, indices, scores, threads, control);
}

}  // namespace facecore
