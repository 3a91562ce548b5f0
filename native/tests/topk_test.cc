#include "facecore/topk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "test_util.h"

namespace facecore {
namespace {

// Reference: exact dot products in float64 on integer data, sorted by (score desc, index asc).
void ref_topk(const std::vector<float>& q, size_t nq, const std::vector<float>& g, size_t ng, size_t dim, size_t k,
              std::vector<int32_t>* idx, std::vector<float>* sc) {
  const size_t kk = std::min(k, ng);
  idx->assign(nq * kk, -1);
  sc->assign(nq * kk, 0);
  for (size_t i = 0; i < nq; ++i) {
    std::vector<std::pair<double, int32_t>> all(ng);
    for (size_t j = 0; j < ng; ++j) {
      double d = 0;
      for (size_t c = 0; c < dim; ++c) d += double(q[i * dim + c]) * g[j * dim + c];
      all[j] = {d, static_cast<int32_t>(j)};
    }
    std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (size_t r = 0; r < kk; ++r) (*idx)[i * kk + r] = all[r].second, (*sc)[i * kk + r] = float(all[r].first);
  }
}

TEST(TopK, ExactIndicesWithTiesOnEveryIsaShapeAndThreadCount) {
  const size_t dims[] = {1, 3, 17, 128, 513};
  const size_t shapes[][3] = {{1, 1, 1}, {3, 5, 10}, {7, 100, 1}, {7, 100, 10}, {70, 2000, 5}, {2, 3000, 3000}};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t dim : dims)
      for (auto [nq, ng, k] : shapes)
        for (int threads : {1, 2, 5}) {
          auto q = testing::integer_rows(nq, dim, 11 + dim), g = testing::integer_rows(ng, dim, 12 + ng);
          // Planted duplicates: rows 0, ng/2 and ng-1 are identical, and so are 1 and 2.
          if (ng > 3) {
            std::copy_n(&g[0], dim, &g[(ng / 2) * dim]);
            std::copy_n(&g[0], dim, &g[(ng - 1) * dim]);
            std::copy_n(&g[1 * dim], dim, &g[2 * dim]);
          }
          const size_t kk = std::min(k, ng);
          std::vector<int32_t> idx(nq * kk), want_idx;
          std::vector<float> sc(nq * kk), want_sc;
          ASSERT_EQ(topk_search(q.data(), nq, g.data(), ng, dim, k, Metric::kDot, idx.data(), sc.data(), threads),
                    Status::kOk);
          ref_topk(q, nq, g, ng, dim, k, &want_idx, &want_sc);
          ASSERT_EQ(idx, want_idx) << isa_name(isa) << " dim=" << dim << " nq=" << nq << " ng=" << ng << " k=" << k
                                   << " threads=" << threads;
          ASSERT_EQ(sc, want_sc);
        }
  }
}

TEST(TopK, CosineTiesOfIdenticalRowsGoToTheLowerIndex) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    const size_t dim = 67, ng = 500;
    auto g = testing::random_rows(ng, dim, 3);
    auto q = testing::random_rows(1, dim, 4);
    // The best row, planted at three places: it must come back as 40, 250, 499 in that order.
    for (size_t at : {40u, 250u, 499u})
      for (size_t c = 0; c < dim; ++c) g[at * dim + c] = q[c] * 2.0f;
    std::vector<int32_t> idx(4);
    std::vector<float> sc(4);
    ASSERT_EQ(topk_search(q.data(), 1, g.data(), ng, dim, 4, Metric::kCosine, idx.data(), sc.data(), 2), Status::kOk);
    EXPECT_EQ(idx[0], 40);
    EXPECT_EQ(idx[1], 250);
    EXPECT_EQ(idx[2], 499);
    EXPECT_EQ(sc[0], sc[1]);
    EXPECT_EQ(sc[1], sc[2]);
    EXPECT_NEAR(sc[0], 1.0f, 1e-6);
  }
}

TEST(TopK, EmptyGalleryOrQueriesGiveEmptyResults) {
  float q[2] = {1, 2};
  int32_t idx[1] = {-5};
  float sc[1] = {-5};
  EXPECT_EQ(topk_search(q, 1, q, 0, 2, 3, Metric::kCosine, idx, sc, 2), Status::kOk);
  EXPECT_EQ(topk_search(q, 0, q, 1, 2, 3, Metric::kCosine, idx, sc, 2), Status::kOk);
  EXPECT_EQ(idx[0], -5);
}

TEST(TopK, ReportsNonFiniteGalleryRows) {
  auto g = testing::random_rows(300, 20, 8);
  auto q = testing::random_rows(2, 20, 9);
  g[299 * 20 + 19] = NAN;
  std::vector<int32_t> idx(10);
  std::vector<float> sc(10);
  for (Metric m : {Metric::kDot, Metric::kCosine})
    EXPECT_EQ(topk_search(q.data(), 2, g.data(), 300, 20, 5, m, idx.data(), sc.data(), 2), Status::kNonFinite);
}

}  // namespace
}  // namespace facecore
