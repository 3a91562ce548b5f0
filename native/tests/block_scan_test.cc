// The one scan and its result handlers (heap, reservoir, top-1, range) against a float64
// brute-force reference: odd dims, n < k, empty inputs, ties, minScore, masks, many parts.
#include "facecore/block_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "facecore/gallery_search.h"
#include "facecore/result_handlers.h"
#include "facecore/topk.h"
#include "test_util.h"

namespace facecore {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Per query, every (score, row) with mask[row] and score >= min_score, best first (ties: lower row).
std::vector<std::vector<Hit>> reference(const std::vector<float>& q, size_t nq, const std::vector<float>& g, size_t n,
                                        size_t dim, float min_score, const std::vector<uint8_t>* mask) {
  std::vector<std::vector<Hit>> out(nq);
  for (size_t i = 0; i < nq; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (mask && !(*mask)[j]) continue;
      double d = 0;
      for (size_t c = 0; c < dim; ++c) d += double(q[i * dim + c]) * g[j * dim + c];
      if (d >= min_score) out[i].push_back({float(d), int32_t(j)});
    }
    std::sort(out[i].begin(), out[i].end(), better);
  }
  return out;
}

void expect_top_k(const std::vector<std::vector<Hit>>& ref, size_t kk, const std::vector<int32_t>& idx,
                  const std::vector<float>& sc, const std::string& tag) {
  for (size_t i = 0; i < ref.size(); ++i)
    for (size_t r = 0; r < kk; ++r) {
      const bool real = r < ref[i].size();
      ASSERT_EQ(idx[i * kk + r], real ? ref[i][r].index : -1) << tag << " q" << i << " r" << r;
      ASSERT_EQ(sc[i * kk + r], real ? ref[i][r].score : kNegInf) << tag << " q" << i << " r" << r;
    }
}

// Integer rows with planted ties: rows 0, n/2 and n-1 are identical, and so are 1 and 2.
std::vector<float> gallery_with_ties(size_t n, size_t dim, uint32_t seed) {
  auto g = testing::integer_rows(n, dim, seed);
  if (n >= 3) {
    std::copy(g.begin(), g.begin() + dim, g.begin() + (n / 2) * dim);
    std::copy(g.begin(), g.begin() + dim, g.begin() + (n - 1) * dim);
    std::copy(g.begin() + dim, g.begin() + 2 * dim, g.begin() + 2 * dim);
  }
  return g;
}

TEST(BlockScan, EveryHandlerMatchesTheReferenceOnManyShapesThreadsAndFloors) {
  const size_t dims[] = {1, 3, 17, 129, 513};
  // (nq, n, k): n < k, k = n, k = 1 (top-1), heap, reservoir (k >= 100), many blocks and parts.
  const size_t shapes[][3] = {{1, 1, 1}, {3, 5, 10}, {2, 7, 7}, {5, 300, 1}, {4, 300, 9},
                              {3, 2000, 150}, {2, 3000, 1200}, {130, 400, 5}};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t dim : dims)
      for (auto [nq, n, k] : shapes)
        for (int threads : {1, 3, 8})
          for (float min_score : {kNegInf, 0.0f, 7.0f}) {
            if (dim == 513 && n > 1000 && threads != 3) continue;  // keep the suite quick
            const auto g = gallery_with_ties(n, dim, 12 + n + dim);
            const auto q = testing::integer_rows(nq, dim, 11 + dim);
            const size_t kk = std::min(k, n);
            std::vector<int32_t> idx(nq * kk);
            std::vector<float> sc(nq * kk);
            ASSERT_EQ(topk_search(q.data(), nq, g.data(), n, dim, k, Metric::kDot, idx.data(), sc.data(), threads,
                                  min_score),
                      Status::kOk);
            const std::string tag = std::string(isa_name(isa)) + " dim " + std::to_string(dim) + " nq " +
                                    std::to_string(nq) + " n " + std::to_string(n) + " k " + std::to_string(k) +
                                    " threads " + std::to_string(threads) + " min " + std::to_string(min_score);
            expect_top_k(reference(q, nq, g, n, dim, min_score, nullptr), kk, idx, sc, tag);
          }
  }
}

TEST(BlockScan, PartsSharingABarKeepTheLowestRowsAmongEqualScores) {
  // Every row scores the same: a part that has kept k hits raises the bar for the others, and
  // equal scores must still enter so the merged best k are rows 0..k-1 (the tie rule), for
  // every handler kind and however many parts run.
  const size_t n = 5000, dim = 3, nq = 2;
  std::vector<float> g(n * dim, 1.0f), q(nq * dim, 1.0f);
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t k : {1, 9, 32, 150})
      for (int threads : {1, 2, 8}) {
        std::vector<int32_t> idx(nq * k);
        std::vector<float> sc(nq * k);
        ASSERT_EQ(topk_search(q.data(), nq, g.data(), n, dim, k, Metric::kDot, idx.data(), sc.data(), threads), Status::kOk);
        for (size_t i = 0; i < nq; ++i)
          for (size_t r = 0; r < k; ++r) {
            ASSERT_EQ(idx[i * k + r], static_cast<int32_t>(r)) << isa_name(isa) << " k " << k << " threads " << threads;
            ASSERT_EQ(sc[i * k + r], 3.0f);
          }
      }
  }
}

TEST(BlockScan, RangeHandlerReturnsEveryHitAtOrAboveTheFloorBestFirst) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t dim : {2, 33}) {
      const size_t nq = 6, n = 2500;
      const auto g = gallery_with_ties(n, dim, 3 + dim), q = testing::integer_rows(nq, dim, 4);
      for (int threads : {1, 4})
        for (float min_score : {5.0f, 20.0f, 1e9f}) {
          std::vector<size_t> lims;
          std::vector<int32_t> idx;
          std::vector<float> sc;
          ASSERT_EQ(range_search(q.data(), nq, g.data(), n, dim, Metric::kDot, min_score, &lims, &idx, &sc, threads),
                    Status::kOk);
          const auto ref = reference(q, nq, g, n, dim, min_score, nullptr);
          ASSERT_EQ(lims.size(), nq + 1);
          for (size_t i = 0; i < nq; ++i) {
            ASSERT_EQ(lims[i + 1] - lims[i], ref[i].size()) << isa_name(isa) << " q" << i;
            for (size_t r = 0; r < ref[i].size(); ++r) {
              EXPECT_EQ(idx[lims[i] + r], ref[i][r].index);
              EXPECT_EQ(sc[lims[i] + r], ref[i][r].score);
            }
          }
        }
    }
  }
}

TEST(BlockScan, EmptyInputsAndNonFiniteScores) {
  std::vector<float> g(4 * 3, 1.0f), q(3, 1.0f);
  std::vector<int32_t> idx(4);
  std::vector<float> sc(4);
  EXPECT_EQ(topk_search(q.data(), 0, g.data(), 4, 3, 2, Metric::kDot, idx.data(), sc.data(), 2), Status::kOk);
  EXPECT_EQ(topk_search(q.data(), 1, g.data(), 0, 3, 2, Metric::kDot, idx.data(), sc.data(), 2), Status::kOk);
  std::vector<size_t> lims;
  std::vector<int32_t> ridx;
  std::vector<float> rsc;
  ASSERT_EQ(range_search(q.data(), 1, g.data(), 0, 3, Metric::kDot, 0.0f, &lims, &ridx, &rsc, 2), Status::kOk);
  EXPECT_EQ(lims, (std::vector<size_t>{0, 0}));
  g[7] = 3e38f, q[1] = 3e38f;  // overflows in the dot product
  EXPECT_EQ(topk_search(q.data(), 1, g.data(), 4, 3, 2, Metric::kDot, idx.data(), sc.data(), 2), Status::kNonFinite);
  EXPECT_EQ(range_search(q.data(), 1, g.data(), 4, 3, Metric::kDot, 0.0f, &lims, &ridx, &rsc, 2), Status::kNonFinite);
}

// A k-NN graph is the scan with the queries a range of the gallery's own rows: each row's best
// is itself, or the lowest of its exact duplicates.
TEST(BlockScan, QueriesFromTheGallerysOwnRows) {
  const size_t n = 900, dim = 24, r0 = 300, r1 = 640, k = 4;
  const auto g = gallery_with_ties(n, dim, 8);
  std::vector<int32_t> idx((r1 - r0) * k);
  std::vector<float> sc((r1 - r0) * k);
  ASSERT_EQ(topk_search(g.data() + r0 * dim, r1 - r0, g.data(), n, dim, k, Metric::kCosine, idx.data(), sc.data(), 3),
            Status::kOk);
  for (size_t i = 0; i < r1 - r0; ++i) {
    const int32_t row = static_cast<int32_t>(r0 + i);
    const int32_t first = row == static_cast<int32_t>(n / 2) ? 0 : row;  // row n/2 duplicates row 0
    EXPECT_EQ(idx[i * k], first) << "row " << row;
    EXPECT_NEAR(sc[i * k], 1.0f, 1e-6f);
  }
}

// Stored rows with a mask and a floor go through the same handlers.
TEST(BlockScan, GallerySearchAppliesMaskAndMinScoreForEveryHandler) {
  const size_t n = 1500, dim = 9, nq = 3;
  const auto g = gallery_with_ties(n, dim, 5), q = testing::integer_rows(nq, dim, 6);
  std::vector<uint8_t> mask(n, 1);
  for (size_t j = 0; j < n; j += 3) mask[j] = 0;
  mask[n / 2] = 1;
  StoredRows rows;
  rows.data = g.data(), rows.n = n, rows.dim = dim, rows.mask = mask.data();
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t k : {1, 8, 100, 2000})
      for (float min_score : {kNegInf, 4.0f, 1e9f}) {
        const size_t kk = std::min(k, n);
        std::vector<int32_t> idx(nq * kk);
        std::vector<float> sc(nq * kk);
        ASSERT_EQ(index_topk(q.data(), nq, rows, k, Metric::kDot, idx.data(), sc.data(), 4, min_score), Status::kOk);
        expect_top_k(reference(q, nq, g, n, dim, min_score, &mask), kk, idx, sc,
                     std::string(isa_name(isa)) + " k " + std::to_string(k) + " min " + std::to_string(min_score));
      }
  }
}

TEST(BlockScan, PlanUsesSeveralPartsPerThreadButNeverMoreThanBlocks) {
  EXPECT_EQ(plan_scan(5, 100000, 96, 1).parts, 1);
  EXPECT_EQ(plan_scan(5, 100000, 96, 4).parts, 4 * tuning::kPartsPerThread);
  EXPECT_EQ(plan_scan(5, 200, 96, 8).parts, 3);
  EXPECT_EQ(plan_scan(5, 0, 96, 8).parts, 1);
  EXPECT_EQ(plan_scan(5, 100000, 96, 4, 1).parts, 4);
  EXPECT_EQ(scan_block_rows(512, 4), 96u);
  EXPECT_EQ(scan_block_rows(1, 1), tuning::kBlockRowsMax);
  EXPECT_EQ(scan_block_rows(1 << 20, 4), tuning::kBlockRowsMin);
}

}  // namespace
}  // namespace facecore
