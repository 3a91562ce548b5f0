// The AVX-512 packed-GEMM dot block against a float64 reference on ragged shapes, its |g|^2,
// that it writes only its tile, and that identical gallery rows score bit-identically.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/similarity.h"
#include "test_util.h"

namespace facecore {
namespace {

double ref_dot(const float* a, const float* b, size_t dim) {
  double d = 0;
  for (size_t k = 0; k < dim; ++k) d += double(a[k]) * b[k];
  return d;
}

TEST(DotBlockPacked, MatchesFloat64ReferenceOnRaggedShapes) {
  if (detected_isa() != Isa::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU";
  const size_t dims[] = {1, 3, 16, 17, 33, 128, 513};
  const size_t nqs[] = {1, 13, 14, 15, 29, 64};
  const size_t ngs[] = {1, 31, 32, 33, 70, 96};
  for (size_t dim : dims)
    for (size_t nq : nqs)
      for (size_t ng : ngs) {
        auto q = testing::random_rows(nq, dim, 3 + dim + nq), g = testing::random_rows(ng, dim, 5 + ng);
        const size_t lds = ng + 3;  // a wider tile: the pad columns must stay untouched
        std::vector<float> s(nq * lds, -7.0f), gsq(ng + 1, -7.0f);
        detail::dot_block_packed_avx512(q.data(), nq, g.data(), ng, dim, s.data(), lds, gsq.data());
        const double tol = 1e-5 * std::sqrt(double(dim));
        for (size_t i = 0; i < nq; ++i) {
          for (size_t j = 0; j < ng; ++j)
            ASSERT_NEAR(s[i * lds + j], ref_dot(&q[i * dim], &g[j * dim], dim), tol)
                << "dim=" << dim << " nq=" << nq << " ng=" << ng << " i=" << i << " j=" << j;
          for (size_t j = ng; j < lds; ++j) ASSERT_EQ(s[i * lds + j], -7.0f) << "wrote past the tile";
        }
        for (size_t j = 0; j < ng; ++j)
          ASSERT_NEAR(gsq[j], ref_dot(&g[j * dim], &g[j * dim], dim), tol) << "dim=" << dim << " j=" << j;
        ASSERT_EQ(gsq[ng], -7.0f) << "wrote past gsq";
      }
}

TEST(DotBlockPacked, DispatchAgreesWithPackedPathForManyQueries) {
  if (detected_isa() != Isa::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU";
  const size_t nq = 64, ng = 77, dim = 513;
  auto q = testing::random_rows(nq, dim, 11), g = testing::random_rows(ng, dim, 12);
  std::vector<float> a(nq * ng), b(nq * ng), ga(ng), gb(ng);
  detail::dot_block_avx512(q.data(), nq, g.data(), ng, dim, a.data(), ng, ga.data());
  detail::dot_block_packed_avx512(q.data(), nq, g.data(), ng, dim, b.data(), ng, gb.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(ga, gb);
}

TEST(DotBlockPacked, IdenticalGalleryRowsScoreBitIdentically) {
  if (detected_isa() != Isa::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU";
  const size_t nq = 30, ng = 70, dim = 129;
  auto q = testing::random_rows(nq, dim, 21), g = testing::random_rows(ng, dim, 22);
  // Row 5 planted in another lane, another half and another panel.
  for (size_t j : {6, 21, 40, 69})
    std::copy(g.begin() + 5 * dim, g.begin() + 6 * dim, g.begin() + j * dim);
  std::vector<float> s(nq * ng), gsq(ng);
  detail::dot_block_packed_avx512(q.data(), nq, g.data(), ng, dim, s.data(), ng, gsq.data());
  for (size_t j : {6, 21, 40, 69}) {
    EXPECT_EQ(gsq[j], gsq[5]) << "j=" << j;
    for (size_t i = 0; i < nq; ++i) EXPECT_EQ(s[i * ng + j], s[i * ng + 5]) << "i=" << i << " j=" << j;
  }
}

}  // namespace
}  // namespace facecore
