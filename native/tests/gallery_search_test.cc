// Storage conversions and stored-row search against float64 references, on every ISA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "facecore/gallery_search.h"
#include "facecore/quantize.h"
#include "test_util.h"

namespace facecore {
namespace {

TEST(Quantize, HalfRoundTripsEveryFiniteValueBitExactOnEveryIsa) {
  std::vector<uint16_t> all;
  for (uint32_t h = 0; h < 65536; ++h)
    if (((h >> 10) & 0x1f) != 31) all.push_back(static_cast<uint16_t>(h));
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    std::vector<float> f(all.size());
    std::vector<uint16_t> back(all.size());
    f16_to_f32(all.data(), all.size(), f.data());
    f32_to_f16(f.data(), f.size(), back.data());
    EXPECT_EQ(back, all) << isa_name(isa);
    // Halfway between 1 and the next half (1 + 2^-10) rounds to even (1); just above rounds up.
    const float x[3] = {1.0f + 0x1p-11f, 1.0f + 0x1p-11f + 0x1p-20f, 65520.0f};
    uint16_t h[3];
    f32_to_f16(x, 3, h);
    EXPECT_EQ(h[0], 0x3c00) << isa_name(isa);
    EXPECT_EQ(h[1], 0x3c01) << isa_name(isa);
    EXPECT_EQ(h[2], 0x7c00) << isa_name(isa);
  }
}

TEST(Quantize, Int8CodesReconstructWithinHalfAStep) {
  const size_t dim = 37;
  auto x = testing::random_rows(4, dim, 3);
  std::fill(x.begin() + dim, x.begin() + 2 * dim, 0.0f);
  std::vector<int8_t> codes(x.size());
  std::vector<float> scales(4), back(x.size());
  quantize_i8(x.data(), 4, dim, codes.data(), scales.data());
  dequantize_i8(codes.data(), scales.data(), 4, dim, back.data());
  EXPECT_EQ(scales[1], 0.0f);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_LE(std::fabs(back[i] - x[i]), scales[i / dim] * 0.5f + 1e-7f);
}

// Stored-row search equals a float64 reference over the decoded rows (quantised query for i8).
TEST(IndexSearch, MatchesReferenceWithMaskAndTiesOnEveryIsa) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (Storage storage : {Storage::kF32, Storage::kF16, Storage::kI8})
      for (size_t dim : {1, 17, 64, 513}) {
      for (size_t nq : {1, 5, 40}) {  // 1: the one-query row scans; 40: the widened-block paths
        const size_t n = 301, k = 8;
        auto g = testing::integer_rows(n, dim, 5 + dim), q = testing::integer_rows(nq, dim, 6 + dim);
        std::copy(g.begin(), g.begin() + dim, g.begin() + (n - 1) * dim);  // row n-1 ties row 0
        std::vector<float> f32 = g, scales(n, 0.0f), decoded(n * dim);
        std::vector<uint16_t> f16(n * dim);
        std::vector<int8_t> i8(n * dim);
        StoredRows rows;
        rows.storage = storage, rows.n = n, rows.dim = dim;
        if (storage == Storage::kF32) rows.data = f32.data(), decoded = g;
        if (storage == Storage::kF16) {
          f32_to_f16(g.data(), g.size(), f16.data());
          f16_to_f32(f16.data(), f16.size(), decoded.data());
          rows.data = f16.data();
        }
        std::vector<int16_t> qcodes(nq * dim);
        std::vector<float> qscales(nq);
        if (storage == Storage::kI8) {
          quantize_i8(g.data(), n, dim, i8.data(), scales.data());
          rows.data = i8.data(), rows.scales = scales.data();
          quantize_i16(q.data(), nq, dim, qcodes.data(), qscales.data());
        }
        std::vector<uint8_t> mask(n, 1);
        for (size_t j = 3; j < n; j += 7) mask[j] = 0;
        rows.mask = mask.data();
        std::vector<int32_t> idx(nq * k);
        std::vector<float> sc(nq * k);
        ASSERT_EQ(index_topk(q.data(), nq, rows, k, Metric::kDot, idx.data(), sc.data(), 2), Status::kOk);
        for (size_t i = 0; i < nq; ++i) {
          std::vector<std::pair<double, int32_t>> all;
          for (size_t j = 0; j < n; ++j) {
            if (!mask[j]) continue;
            double d = 0;
            if (storage == Storage::kI8) {
              for (size_t c = 0; c < dim; ++c) d += double(qcodes[i * dim + c]) * i8[j * dim + c];
              d *= double(qscales[i] * scales[j]);
            } else {
              for (size_t c = 0; c < dim; ++c) d += double(q[i * dim + c]) * decoded[j * dim + c];
            }
            all.push_back({d, static_cast<int32_t>(j)});
          }
          std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
          for (size_t r = 0; r < k; ++r) {
            EXPECT_NEAR(sc[i * k + r], all[r].first, 1e-5 * std::max(1.0, std::fabs(all[r].first)))
                << isa_name(isa) << " storage " << int(storage) << " dim " << dim;
            // Integer data: scores are exact, so the order is exactly the reference's.
            if (storage != Storage::kI8) EXPECT_EQ(idx[i * k + r], all[r].second) << isa_name(isa) << " dim " << dim;
          }
        }
      }
      }
  }
}

TEST(IndexSearch, EveryRowMaskedGivesNoHits) {
  std::vector<float> g(10 * 4, 1.0f), q(4, 1.0f);
  std::vector<uint8_t> mask(10, 0);
  StoredRows rows;
  rows.data = g.data(), rows.n = 10, rows.dim = 4, rows.mask = mask.data();
  std::vector<int32_t> idx(3);
  std::vector<float> sc(3);
  ASSERT_EQ(index_topk(q.data(), 1, rows, 3, Metric::kCosine, idx.data(), sc.data(), 1), Status::kOk);
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(idx[r], -1);
    EXPECT_EQ(sc[r], -std::numeric_limits<float>::infinity());
  }
  q[0] = NAN;
  EXPECT_EQ(index_topk(q.data(), 1, rows, 3, Metric::kCosine, idx.data(), sc.data(), 1), Status::kNonFinite);
}

}  // namespace
}  // namespace facecore
