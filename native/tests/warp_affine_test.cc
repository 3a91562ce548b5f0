#include "facecore/warp_affine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace facecore {
namespace {

struct Case {
  int w, h, c, pad;
};

// Reference: OpenCV's bilinear rule in float64, each neighbour outside taking the border value
// (constant) or the nearest edge pixel (replicate).
double ref_sample(const std::vector<uint8_t>& img, const Case& k, const double* inv, int x, int y, int ch,
                  WarpBorder border, double bv) {
  const size_t stride = static_cast<size_t>(k.w) * k.c + k.pad;
  const double sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
  auto px = [&](long xi, long yi) -> double {
    if (border == WarpBorder::kReplicate) {
      xi = std::min<long>(std::max<long>(xi, 0), k.w - 1);
      yi = std::min<long>(std::max<long>(yi, 0), k.h - 1);
    } else if (xi < 0 || yi < 0 || xi >= k.w || yi >= k.h) {
      return bv;
    }
    return img[yi * stride + xi * k.c + ch];
  };
  const double x0 = std::floor(sx), y0 = std::floor(sy), fx = sx - x0, fy = sy - y0;
  const long xi = static_cast<long>(x0), yi = static_cast<long>(y0);
  return (1 - fx) * (1 - fy) * px(xi, yi) + fx * (1 - fy) * px(xi + 1, yi) + (1 - fx) * fy * px(xi, yi + 1) +
         fx * fy * px(xi + 1, yi + 1);
}

// Every ISA, both borders, uint8 and float32-nchw output of the crops `inv` against ref_sample.
void expect_matches_reference(const std::vector<uint8_t>& img, const Case& k, const std::vector<double>& inv, int ow,
                              int oh) {
  const size_t stride = static_cast<size_t>(k.w) * k.c + k.pad;
  const WarpImage im{img.data(), img.size(), k.w, k.h, k.c, stride};
  const int n = static_cast<int>(inv.size() / 6);
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (WarpBorder border : {WarpBorder::kConstant, WarpBorder::kReplicate}) {
      WarpParams p;
      p.out_width = ow, p.out_height = oh, p.border = border;
      for (int ch = 0; ch < 4; ++ch) p.border_value[ch] = 17.0f * (ch + 1);
      std::vector<uint8_t> out8(warp_output_size(im, p, n));
      ASSERT_TRUE(warp_affine(im, inv.data(), n, p, out8.data(), 2));
      p.output = WarpOutput::kFloat32Nchw;
      std::vector<float> outf(warp_output_size(im, p, n));
      ASSERT_TRUE(warp_affine(im, inv.data(), n, p, outf.data(), 3));
      for (int i = 0; i < n; ++i)
        for (int y = 0; y < oh; ++y)
          for (int x = 0; x < ow; ++x)
            for (int ch = 0; ch < k.c; ++ch) {
              const double want = ref_sample(img, k, inv.data() + 6 * i, x, y, ch, border, p.border_value[ch]);
              const size_t at = ((static_cast<size_t>(i) * oh + y) * ow + x) * k.c + ch;
              const auto where = [&] {
                return std::string(isa_name(isa)) + " " + std::to_string(k.w) + "x" + std::to_string(k.h) + "x" +
                       std::to_string(k.c) + " crop " + std::to_string(i) + " (" + std::to_string(x) + ", " +
                       std::to_string(y) + ")";
              };
              ASSERT_LE(std::fabs(out8[at] - want), 1.0) << where();
              if (ch < 3) {
                const float got = outf[((static_cast<size_t>(i) * 3 + ch) * oh + y) * ow + x];
                ASSERT_NEAR(got, want, 5e-3) << where();
              }
            }
    }
  }
}

TEST(WarpAffine, MatchesFloat64ReferenceUnderEachIsa) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  const Case cases[] = {{1, 1, 3, 0}, {5, 3, 1, 0}, {37, 23, 3, 0}, {64, 48, 4, 4}, {97, 61, 1, 3}, {200, 150, 3, 1}};
  for (const Case& k : cases) {
    const size_t stride = static_cast<size_t>(k.w) * k.c + k.pad;
    // Exactly stride * height bytes: reads must never pass the end.
    std::vector<uint8_t> img(stride * k.h);
    for (auto& b : img) b = static_cast<uint8_t>(rng() & 0xff);
    const int n = 5;
    std::vector<double> inv(6 * n);
    for (int i = 0; i < n; ++i) {
      const double ang = u(rng) * 6.3, sc = 0.2 + u(rng) * 2.5;
      double* m = inv.data() + 6 * i;
      m[0] = std::cos(ang) * sc, m[1] = -std::sin(ang) * sc, m[3] = -m[1], m[4] = m[0];
      m[2] = k.w * (u(rng) * 1.4 - 0.2), m[5] = k.h * (u(rng) * 1.4 - 0.2);
    }
    expect_matches_reference(img, k, inv, 37, 19);
  }
}

// Face crops as alignment makes them (112 wide and an odd 115 with a SIMD tail; face scales 0.3-7,
// rotated) inside a large image, where whole rows take the SIMD steps without border tests, and
// crops whose rows graze the edges: starting exactly on column 0, ending on the last column, and
// ending where an 8-byte read of the last pixel pair would pass the data's end by 2 bytes
// (pad 0) or just fit (pad 2).
TEST(WarpAffine, FaceScaleCropsMatchReferenceInsideAndAtTheEdges) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (const Case& k : {Case{1001, 899, 3, 0}, Case{1001, 899, 3, 2}, Case{1003, 901, 4, 0}}) {
    const size_t stride = static_cast<size_t>(k.w) * k.c + k.pad;
    std::vector<uint8_t> img(stride * k.h);
    for (auto& b : img) b = static_cast<uint8_t>(rng() & 0xff);
    for (int ow : {112, 115}) {
      const int oh = ow == 112 ? 112 : 13;
      std::vector<double> inv;
      for (double sc : {0.3, 1.0, 3.0, 7.0}) {
        const double ang = (u(rng) - 0.5) * 0.52, a = std::cos(ang) * sc, b = -std::sin(ang) * sc;
        const double cx = k.w / 2.0 + (u(rng) - 0.5) * 50, cy = k.h / 2.0 + (u(rng) - 0.5) * 50;
        inv.insert(inv.end(), {a, b, cx - a * ow / 2 - b * oh / 2, -b, a, cy + b * ow / 2 - a * oh / 2});
      }
      const double right = k.w - ow, bottom = k.h - oh;
      inv.insert(inv.end(), {1, 0, 0, 0, 1, 0});                    // first column and row exactly
      inv.insert(inv.end(), {1, 0, right, 0, 1, bottom});          // last column and row exactly
      inv.insert(inv.end(), {1, 0, right - 0.5, 0, 1, bottom - 0.5});  // last pair read at the end
      inv.insert(inv.end(), {0.9, 0.2, k.w - 40.0, -0.2, 0.9, k.h - 30.0});  // across a corner
      expect_matches_reference(img, k, inv, ow, oh);
    }
  }
}

TEST(WarpAffine, RejectsInvalidSizes) {
  std::vector<uint8_t> img(30);
  const double inv[6] = {1, 0, 0, 0, 1, 0};
  WarpParams p;
  p.out_width = p.out_height = 2;
  uint8_t out[16];
  EXPECT_FALSE(warp_affine({img.data(), img.size(), 10, 1, 2, 20}, inv, 1, p, out, 1));   // 2 channels
  EXPECT_FALSE(warp_affine({img.data(), img.size(), 10, 1, 3, 29}, inv, 1, p, out, 1));   // stride < w * c
  EXPECT_FALSE(warp_affine({img.data(), img.size(), 10, 2, 3, 30}, inv, 1, p, out, 1));   // data < stride * h
  EXPECT_TRUE(warp_affine({img.data(), img.size(), 10, 1, 3, 30}, inv, 1, p, out, 1));
}

}  // namespace
}  // namespace facecore
