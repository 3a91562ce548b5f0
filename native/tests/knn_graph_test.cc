#include "facecore/knn_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "facecore/quantize.h"
#include "test_util.h"

namespace facecore {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Brute force in float64: every other row by (score desc, index asc), self excluded.
void ref_knn(const std::vector<float>& x, size_t n, size_t dim, size_t k, float min_score, std::vector<int32_t>* idx,
             std::vector<float>* sc) {
  const size_t kk = n == 0 ? 0 : std::min(k, n - 1);
  idx->assign(n * kk, -1);
  sc->assign(n * kk, kNegInf);
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, int32_t>> all;
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double d = 0;
      for (size_t c = 0; c < dim; ++c) d += double(x[i * dim + c]) * x[j * dim + c];
      all.push_back({d, static_cast<int32_t>(j)});
    }
    std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (size_t r = 0; r < kk; ++r)
      if (all[r].first >= min_score) (*idx)[i * kk + r] = all[r].second, (*sc)[i * kk + r] = float(all[r].first);
  }
}

// Integer rows with planted duplicates (0 = n/2 = n-1, 1 = 2): exact scores and real ties.
std::vector<float> rows_with_duplicates(size_t n, size_t dim, uint32_t seed) {
  auto x = testing::integer_rows(n, dim, seed);
  if (n > 3) {
    std::copy_n(&x[0], dim, &x[(n / 2) * dim]);
    std::copy_n(&x[0], dim, &x[(n - 1) * dim]);
    std::copy_n(&x[1 * dim], dim, &x[2 * dim]);
  }
  return x;
}

KnnStatus run(const StoredRows& rows, size_t k, float min_score, int threads, std::vector<int32_t>* idx,
              std::vector<float>* sc, const KnnControl& control = {}) {
  const size_t kk = rows.n == 0 ? 0 : std::min(k, rows.n - 1);
  idx->assign(rows.n * kk, 7);
  sc->assign(rows.n * kk, 7);
  return knn_graph(rows, k, Metric::kDot, min_score, idx->data(), sc->data(), threads, control);
}

// The graph of `rows` must equal the float64 brute force over `x` (the same rows as float32) exactly.
void expect_exact(const StoredRows& rows, const std::vector<float>& x, size_t k, float min_score, int threads) {
  std::vector<int32_t> idx, want_idx;
  std::vector<float> sc, want_sc;
  ASSERT_EQ(run(rows, k, min_score, threads, &idx, &sc), KnnStatus::kOk);
  ref_knn(x, rows.n, rows.dim, k, min_score, &want_idx, &want_sc);
  ASSERT_EQ(idx, want_idx);
  ASSERT_EQ(sc, want_sc);
}

TEST(KnnGraph, Float32MatchesBruteForceWithTiesDuplicatesAndSelfExcluded) {
  // n < k, k = 1 (top-1 state), k >= 100 (reservoir state), odd n, several chunks of rows.
  const size_t shapes[][2] = {{0, 3}, {1, 3}, {2, 1}, {5, 10}, {40, 3}, {300, 7}, {1500, 2}, {2100, 12},
                              {7, 200}, {1031, 1}, {333, 120}};
  for (size_t dim : {1, 5, 64, 129})
    for (auto [n, k] : shapes) {
      auto x = rows_with_duplicates(n, dim, 31 + n + dim);
      StoredRows rows{Storage::kF32, x.data(), nullptr, n, dim, nullptr};
      std::vector<int32_t> idx, want_idx;
      std::vector<float> sc, want_sc;
      ref_knn(x, n, dim, k, kNegInf, &want_idx, &want_sc);
      for (Isa isa : testing::supported_isas()) {
        testing::IsaScope scope(isa);
        for (int threads : {1, 2, 3, 8}) {
          ASSERT_EQ(run(rows, k, kNegInf, threads, &idx, &sc), KnnStatus::kOk);
          ASSERT_EQ(idx, want_idx) << isa_name(isa) << " dim=" << dim << " n=" << n << " k=" << k;
          ASSERT_EQ(sc, want_sc);
        }
      }
    }
}

TEST(KnnGraph, MinScoreDropsWeakNeighboursToMinusOne) {
  const size_t n = 700, dim = 9;
  auto x = rows_with_duplicates(n, dim, 5);
  StoredRows rows{Storage::kF32, x.data(), nullptr, n, dim, nullptr};
  for (float min_score : {-1e9f, 0.0f, 20.0f, 1e9f}) {
    SCOPED_TRACE(min_score);
    expect_exact(rows, x, 6, min_score, 2);
  }
}

TEST(KnnGraph, Float16RowsMatchBruteForceExactly) {
  // Small integers are exact in binary16, so the float16 path must give the float32 answer.
  for (size_t n : {3, 260, 1300}) {
    const size_t dim = 33;
    auto x = rows_with_duplicates(n, dim, 77 + n);
    std::vector<uint16_t> h(x.size());
    f32_to_f16(x.data(), x.size(), h.data());
    StoredRows rows{Storage::kF16, h.data(), nullptr, n, dim, nullptr};
    SCOPED_TRACE(n);
    expect_exact(rows, x, 4, kNegInf, 2);
  }
}

TEST(KnnGraph, Int8RowsFindNeighboursWithinQuantisationError) {
  // int8 scores are approximate: every listed neighbour's exact score (on the dequantised
  // rows) must be within the error bound of the exact k-th best, and never the row itself.
  const size_t n = 1100, dim = 64, k = 5;
  auto x = testing::random_rows(n, dim, 9);
  std::vector<int8_t> codes(n * dim);
  std::vector<float> scales(n), deq(n * dim);
  quantize_i8(x.data(), n, dim, codes.data(), scales.data());
  dequantize_i8(codes.data(), scales.data(), n, dim, deq.data());
  StoredRows rows{Storage::kI8, codes.data(), scales.data(), n, dim, nullptr};
  std::vector<int32_t> idx, want_idx;
  std::vector<float> sc, want_sc;
  ASSERT_EQ(run(rows, k, kNegInf, 2, &idx, &sc), KnnStatus::kOk);
  ref_knn(deq, n, dim, k, kNegInf, &want_idx, &want_sc);
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; r < k; ++r) {
      const int32_t j = idx[i * k + r];
      ASSERT_NE(j, static_cast<int32_t>(i));
      ASSERT_GE(j, 0);
      double exact = 0;
      for (size_t c = 0; c < dim; ++c) exact += double(deq[i * dim + c]) * deq[j * dim + c];
      EXPECT_NEAR(sc[i * k + r], exact, 1e-3 * dim);
      EXPECT_GE(exact, want_sc[i * k + r] - 2e-3 * dim) << i << " " << r;
    }
}

TEST(KnnGraph, Float32RowsScoredAsInt8FindNeighboursWithinQuantisationError) {
  // knn_graph_i8: the rows are normalised and quantised inside; every listed neighbour's exact
  // cosine must be within the quantisation error of the exact k-th best cosine.
  const size_t n = 1300, dim = 48, k = 6;
  auto x = testing::random_rows(n, dim, 21);
  std::vector<float> unit(x);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (size_t c = 0; c < dim; ++c) norm += double(x[i * dim + c]) * x[i * dim + c];
    for (size_t c = 0; c < dim; ++c) unit[i * dim + c] = float(x[i * dim + c] / std::sqrt(norm));
  }
  std::vector<int32_t> want_idx, idx(n * k);
  std::vector<float> want_sc, sc(n * k);
  ref_knn(unit, n, dim, k, kNegInf, &want_idx, &want_sc);
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (int threads : {1, 3}) {
      ASSERT_EQ(knn_graph_i8(x.data(), n, dim, k, Metric::kCosine, kNegInf, idx.data(), sc.data(), threads),
                KnnStatus::kOk);
      for (size_t i = 0; i < n; ++i)
        for (size_t r = 0; r < k; ++r) {
          const int32_t j = idx[i * k + r];
          ASSERT_GE(j, 0);
          ASSERT_NE(j, static_cast<int32_t>(i));
          double exact = 0;
          for (size_t c = 0; c < dim; ++c) exact += double(unit[i * dim + c]) * unit[j * dim + c];
          ASSERT_NEAR(sc[i * k + r], exact, 0.02) << isa_name(isa) << " row " << i;
          ASSERT_GE(exact, want_sc[i * k + r] - 0.04) << isa_name(isa) << " row " << i;
        }
    }
  }
  x[5 * dim + 3] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(knn_graph_i8(x.data(), n, dim, k, Metric::kCosine, kNegInf, idx.data(), sc.data(), 2),
            KnnStatus::kNonFinite);
}

// The int8 graph's exact answer: each pair (i < j) scored once, as the gallery search scores
// stored row j for query row i (the row decoded, quantised to int16, an exact integer dot
// product times the two scales), and that score serves both rows.
void ref_knn_i8(const std::vector<int8_t>& codes, const std::vector<float>& scales, size_t n, size_t dim, size_t k,
                float min_score, std::vector<int32_t>* idx, std::vector<float>* sc) {
  std::vector<float> decoded(n * dim), qscales(n);
  std::vector<int16_t> q(n * dim);
  dequantize_i8(codes.data(), scales.data(), n, dim, decoded.data());
  quantize_i16(decoded.data(), n, dim, q.data(), qscales.data());
  std::vector<std::vector<std::pair<float, int32_t>>> all(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      int64_t dot = 0;
      for (size_t c = 0; c < dim; ++c) dot += int64_t{q[i * dim + c]} * codes[j * dim + c];
      const float score = static_cast<float>(dot) * (qscales[i] * scales[j]);
      all[i].push_back({score, static_cast<int32_t>(j)});
      all[j].push_back({score, static_cast<int32_t>(i)});
    }
  const size_t kk = n == 0 ? 0 : std::min(k, n - 1);
  idx->assign(n * kk, -1);
  sc->assign(n * kk, kNegInf);
  for (size_t i = 0; i < n; ++i) {
    std::sort(all[i].begin(), all[i].end(),
              [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (size_t r = 0; r < kk; ++r)
      if (all[i][r].first >= min_score) (*idx)[i * kk + r] = all[i][r].second, (*sc)[i * kk + r] = all[i][r].first;
  }
}

TEST(KnnGraph, Int8RowsGiveTheExactInt8AnswerOnEveryIsa) {
  // Integer rows with planted duplicates: exact ties among the int8 scores. n < k, n = 0/1/2,
  // k = 1 (top-1 state), a floor, more rows than one chunk (the widened path from 128 rows) and,
  // at dim 300, more than one block (648 rows: tiles above the diagonal, the column feed).
  const size_t shapes[][2] = {{0, 3}, {1, 3}, {2, 1}, {5, 10}, {40, 3}, {300, 7}, {1100, 5}, {7, 120}};
  for (size_t dim : {1, 7, 33, 64, 300})
    for (auto [n, k] : shapes)
      for (float min_score : {kNegInf, 3.0f}) {
        auto x = rows_with_duplicates(n, dim, 11 + n + dim);
        std::vector<int8_t> codes(n * dim);
        std::vector<float> scales(n);
        quantize_i8(x.data(), n, dim, codes.data(), scales.data());
        StoredRows rows{Storage::kI8, codes.data(), scales.data(), n, dim, nullptr};
        std::vector<int32_t> idx, want_idx;
        std::vector<float> sc, want_sc;
        ref_knn_i8(codes, scales, n, dim, k, min_score, &want_idx, &want_sc);
        for (Isa isa : testing::supported_isas()) {
          testing::IsaScope scope(isa);
          for (int threads : {1, 3}) {
            ASSERT_EQ(run(rows, k, min_score, threads, &idx, &sc), KnnStatus::kOk);
            ASSERT_EQ(idx, want_idx) << isa_name(isa) << " dim=" << dim << " n=" << n << " k=" << k
                                     << " min_score=" << min_score << " threads=" << threads;
            ASSERT_EQ(sc, want_sc);
          }
        }
      }
}

TEST(KnnGraph, Float32RowsScoredAsInt8GiveTheSameGraphOnEveryIsa) {
  const size_t n = 1500, dim = 37, k = 8;
  auto x = testing::random_rows(n, dim, 4);
  std::vector<int32_t> want_idx(n * k), idx(n * k);
  std::vector<float> want_sc(n * k), sc(n * k);
  {
    testing::IsaScope scope(Isa::kScalar);
    ASSERT_EQ(knn_graph_i8(x.data(), n, dim, k, Metric::kCosine, 0.1f, want_idx.data(), want_sc.data(), 1),
              KnnStatus::kOk);
  }
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    ASSERT_EQ(knn_graph_i8(x.data(), n, dim, k, Metric::kCosine, 0.1f, idx.data(), sc.data(), 2), KnnStatus::kOk);
    EXPECT_EQ(idx, want_idx) << isa_name(isa);
    EXPECT_EQ(sc, want_sc) << isa_name(isa);
  }
}

TEST(KnnGraph, ReportsProgressAndStopsWhenAborted) {
  const size_t n = 3 * kKnnChunkRows + 5, dim = 8;
  auto x = testing::random_rows(n, dim, 3);
  StoredRows rows{Storage::kF32, x.data(), nullptr, n, dim, nullptr};
  std::atomic<int32_t> abort{0};
  std::atomic<int32_t> done{0};
  std::vector<int32_t> idx;
  std::vector<float> sc;
  ASSERT_EQ(run(rows, 3, kNegInf, 2, &idx, &sc, {&abort, &done}), KnnStatus::kOk);
  EXPECT_EQ(done.load(), static_cast<int32_t>(n));
  abort.store(1);
  done.store(0);
  EXPECT_EQ(run(rows, 3, kNegInf, 2, &idx, &sc, {&abort, &done}), KnnStatus::kAborted);
  EXPECT_EQ(done.load(), 0);
}

TEST(KnnGraph, NonFiniteRowIsReported) {
  // In the first chunk, and in a later one (the row is then a gallery row before it is a query).
  for (size_t bad : {17, 1500 * 4 + 1}) {
    auto x = testing::random_rows(1600, 4, 1);
    x[bad] = std::numeric_limits<float>::quiet_NaN();
    StoredRows rows{Storage::kF32, x.data(), nullptr, 1600, 4, nullptr};
    std::vector<int32_t> idx;
    std::vector<float> sc;
    EXPECT_EQ(run(rows, 3, kNegInf, 2, &idx, &sc), KnnStatus::kNonFinite) << bad;
  }
}

}  // namespace
}  // namespace facecore
