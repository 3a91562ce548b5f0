// The packed-GEMM dot blocks (AVX-512 and AVX2) against a float64 reference on ragged shapes,
// their |g|^2, that they write only their tile, and that identical gallery rows score
// bit-identically. Each runs where the CPU has its ISA.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
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

struct PackedPath {
  const char* name;
  Isa isa;
  detail::DotBlockFn packed, dispatch;
};

class DotBlockPacked : public ::testing::TestWithParam<PackedPath> {
 protected:
  void SetUp() override {
    if (static_cast<int>(detected_isa()) < static_cast<int>(GetParam().isa)) GTEST_SKIP() << "no " << GetParam().name << " on this CPU";
  }
};

INSTANTIATE_TEST_SUITE_P(Isas, DotBlockPacked,
                         ::testing::Values(PackedPath{"avx512", Isa::kAvx512, detail::dot_block_packed_avx512, detail::dot_block_avx512},
                                           PackedPath{"avx2", Isa::kAvx2, detail::dot_block_packed_avx2, detail::dot_block_avx2}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(DotBlockPacked, MatchesFloat64ReferenceOnRaggedShapes) {
  // Panel edges of both widths (16 and 32 columns) and micro-tile heights (6 and 14 rows).
  const size_t dims[] = {1, 3, 7, 8, 16, 17, 33, 128, 513};
  const size_t nqs[] = {1, 5, 6, 7, 13, 14, 15, 29, 64};
  const size_t ngs[] = {1, 7, 15, 16, 17, 31, 32, 33, 70, 96};
  for (size_t dim : dims)
    for (size_t nq : nqs)
      for (size_t ng : ngs) {
        auto q = testing::random_rows(nq, dim, 3 + dim + nq), g = testing::random_rows(ng, dim, 5 + ng);
        const size_t lds = ng + 3;  // a wider tile: the pad columns must stay untouched
        std::vector<float> s(nq * lds, -7.0f), gsq(ng + 1, -7.0f);
        GetParam().packed(q.data(), nq, g.data(), ng, dim, s.data(), lds, gsq.data());
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

TEST_P(DotBlockPacked, DispatchAgreesWithPackedPathForManyQueries) {
  const size_t nq = 64, ng = 77, dim = 513;
  auto q = testing::random_rows(nq, dim, 11), g = testing::random_rows(ng, dim, 12);
  std::vector<float> a(nq * ng), b(nq * ng), ga(ng), gb(ng);
  GetParam().dispatch(q.data(), nq, g.data(), ng, dim, a.data(), ng, ga.data());
  GetParam().packed(q.data(), nq, g.data(), ng, dim, b.data(), ng, gb.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(ga, gb);
}

TEST_P(DotBlockPacked, IdenticalGalleryRowsScoreBitIdentically) {
  const size_t nq = 30, ng = 70, dim = 129;
  auto q = testing::random_rows(nq, dim, 21), g = testing::random_rows(ng, dim, 22);
  // Row 5 planted in another lane, another half and another panel.
  for (size_t j : {6, 21, 40, 69})
    std::copy(g.begin() + 5 * dim, g.begin() + 6 * dim, g.begin() + j * dim);
  std::vector<float> s(nq * ng), gsq(ng);
  GetParam().packed(q.data(), nq, g.data(), ng, dim, s.data(), ng, gsq.data());
  for (size_t j : {6, 21, 40, 69}) {
    EXPECT_EQ(gsq[j], gsq[5]) << "j=" << j;
    for (size_t i = 0; i < nq; ++i) EXPECT_EQ(s[i * ng + j], s[i * ng + 5]) << "i=" << i << " j=" << j;
  }
}

}  // namespace
}  // namespace facecore
