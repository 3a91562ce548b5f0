#include "facecore/similarity.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace facecore {
namespace {

double ref_sim(const float* a, const float* b, size_t dim, Metric m) {
  double dot = 0, na = 0, nb = 0;
  for (size_t k = 0; k < dim; ++k) dot += double(a[k]) * b[k], na += double(a[k]) * a[k], nb += double(b[k]) * b[k];
  if (m == Metric::kDot) return dot;
  return na == 0 || nb == 0 ? 0.0 : dot / std::sqrt(na * nb);
}

TEST(SimilarityMatrix, MatchesFloat64ReferenceOnEveryIsaShapeAndThreadCount) {
  const size_t dims[] = {1, 3, 17, 128, 513};
  const size_t sizes[][2] = {{1, 1}, {5, 7}, {70, 13}, {3, 200}};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t dim : dims)
      for (auto [na, nb] : sizes)
        for (Metric m : {Metric::kDot, Metric::kCosine})
          for (int threads : {1, 2, 3}) {
            auto a = testing::random_rows(na, dim, 1 + dim), b = testing::random_rows(nb, dim, 2 + na);
            std::vector<float> out(na * nb, -7.0f);
            ASSERT_EQ(similarity_matrix(a.data(), na, b.data(), nb, dim, m, out.data(), threads), Status::kOk);
            for (size_t i = 0; i < na; ++i)
              for (size_t j = 0; j < nb; ++j) {
                const double want = ref_sim(&a[i * dim], &b[j * dim], dim, m);
                ASSERT_NEAR(out[i * nb + j], want, 1e-5 * (m == Metric::kDot ? std::sqrt(double(dim)) : 1.0))
                    << isa_name(isa) << " dim=" << dim << " i=" << i << " j=" << j;
              }
          }
  }
}

TEST(SimilarityMatrix, ZeroVectorScoresZeroNotNaN) {
  std::vector<float> a = {0, 0, 0, 1, 2, 3}, b = {0, 0, 0, 3, 2, 1};
  std::vector<float> out(4);
  ASSERT_EQ(similarity_matrix(a.data(), 2, b.data(), 2, 3, Metric::kCosine, out.data(), 1), Status::kOk);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[2], 0.0f);
  EXPECT_NEAR(out[3], 10.0 / 14.0, 1e-6);
}

TEST(SimilarityMatrix, ReportsNonFiniteInputsAndOverflow) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (Metric m : {Metric::kDot, Metric::kCosine}) {
      auto a = testing::random_rows(9, 33, 5), b = testing::random_rows(40, 33, 6);
      std::vector<float> out(9 * 40);
      b[17 * 33 + 32] = NAN;
      EXPECT_EQ(similarity_matrix(a.data(), 9, b.data(), 40, 33, m, out.data(), 2), Status::kNonFinite);
      b[17 * 33 + 32] = INFINITY;
      EXPECT_EQ(similarity_matrix(a.data(), 9, b.data(), 40, 33, m, out.data(), 2), Status::kNonFinite);
      b[17 * 33 + 32] = 0.5f;
      a[3] = -INFINITY;
      EXPECT_EQ(similarity_matrix(a.data(), 9, b.data(), 40, 33, m, out.data(), 2), Status::kNonFinite);
      a[3] = 1e30f;  // finite, but its square overflows float32
      EXPECT_EQ(similarity_matrix(a.data(), 9, a.data(), 9, 33, m, out.data(), 2), Status::kNonFinite);
    }
  }
}

TEST(SimilarityMatrix, EmptyInputsTouchNothing) {
  float a[3] = {1, 2, 3}, out[1] = {42};
  EXPECT_EQ(similarity_matrix(a, 0, a, 1, 3, Metric::kCosine, out, 2), Status::kOk);
  EXPECT_EQ(similarity_matrix(a, 1, a, 0, 3, Metric::kDot, out, 2), Status::kOk);
  EXPECT_EQ(out[0], 42);
}

}  // namespace
}  // namespace facecore
