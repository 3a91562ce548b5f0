#include "facecore/sharpness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace facecore {
namespace {

// Reference: grey image and Laplacian in float64, two-pass variance over the interior.
double ref_variance(const float* crop, const SharpnessShape& s, const std::vector<float>& w) {
  if (s.height < 3 || s.width < 3) return 0;
  const size_t plane = s.height * s.width;
  auto grey = [&](size_t y, size_t x) {
    double g = 0;
    for (size_t c = 0; c < s.channels; ++c) g += static_cast<double>(w[c]) * crop[c * plane + y * s.width + x];
    return g;
  };
  std::vector<double> lap;
  for (size_t y = 1; y + 1 < s.height; ++y)
    for (size_t x = 1; x + 1 < s.width; ++x)
      lap.push_back(grey(y - 1, x) + grey(y + 1, x) + grey(y, x - 1) + grey(y, x + 1) - 4 * grey(y, x));
  double mean = 0, var = 0;
  for (double v : lap) mean += v;
  mean /= static_cast<double>(lap.size());
  for (double v : lap) var += (v - mean) * (v - mean);
  return var / static_cast<double>(lap.size());
}

std::vector<float> random_crops(const SharpnessShape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(sharpness_input_size(s));
  for (auto& x : v) x = u(rng);
  return v;
}

TEST(LaplacianVariance, MatchesFloat64ReferenceOnManyShapes) {
  const SharpnessShape shapes[] = {{1, 3, 112, 112}, {5, 3, 7, 9}, {3, 1, 3, 3}, {2, 3, 3, 17}, {4, 2, 31, 5},
                                   {7, 3, 224, 224}, {3, 4, 13, 11}, {1, 3, 1, 50}, {2, 3, 2, 2}};
  uint32_t seed = 1;
  for (const auto& s : shapes) {
    const auto crops = random_crops(s, seed++);
    std::vector<float> w(s.channels);
    for (size_t c = 0; c < s.channels; ++c) w[c] = 0.25f + 0.5f * static_cast<float>(c);
    for (int threads : {1, 3}) {
      std::vector<double> out(s.count, -1);
      ASSERT_TRUE(laplacian_variance(crops.data(), crops.size(), s, w.data(), out.data(), threads));
      for (size_t i = 0; i < s.count; ++i) {
        const double want = ref_variance(crops.data() + i * s.channels * s.height * s.width, s, w);
        EXPECT_NEAR(out[i], want, 1e-5 * (1 + want)) << s.count << "x" << s.channels << "x" << s.height << "x"
                                                       << s.width << " crop " << i << " threads " << threads;
      }
    }
  }
}

TEST(LaplacianVariance, ConstantCropIsZeroAndTooSmallCropIsZero) {
  const SharpnessShape s{2, 3, 20, 21};
  std::vector<float> crops(sharpness_input_size(s), 0.37f);
  const float w[3] = {1.0f / 3, 1.0f / 3, 1.0f / 3};
  double out[2] = {-1, -1};
  ASSERT_TRUE(laplacian_variance(crops.data(), crops.size(), s, w, out, 2));
  EXPECT_EQ(out[0], 0.0);
  EXPECT_EQ(out[1], 0.0);
  const SharpnessShape tiny{1, 3, 2, 40};
  std::vector<float> noise = random_crops(tiny, 9);
  double one = -1;
  ASSERT_TRUE(laplacian_variance(noise.data(), noise.size(), tiny, w, &one, 1));
  EXPECT_EQ(one, 0.0);
}

TEST(LaplacianVariance, CheckerboardHasTheClosedFormVariance) {
  // A +-a checkerboard: every interior Laplacian is -+8a, mean ~0, so the variance is ~64 a^2
  // (exactly 64 a^2 - mean^2, the mean coming from the odd interior count).
  const SharpnessShape s{1, 1, 9, 9};
  const float a = 2.5f;
  std::vector<float> crop(81);
  for (size_t y = 0; y < 9; ++y)
    for (size_t x = 0; x < 9; ++x) crop[y * 9 + x] = ((x + y) % 2 == 0) ? a : -a;
  const float w = 1;
  double out = 0;
  ASSERT_TRUE(laplacian_variance(crop.data(), crop.size(), s, &w, &out, 1));
  // 7x7 interior: 25 cells with +a (Laplacian -8a) and 24 with -a (+8a).
  const double mean = (25 * -8.0 * a + 24 * 8.0 * a) / 49, want = 64.0 * a * a - mean * mean;
  EXPECT_NEAR(out, want, 1e-9 * want);
  EXPECT_NEAR(out, ref_variance(crop.data(), s, {w}), 1e-9 * want);
}

TEST(LaplacianVariance, BlurLowersIt) {
  // The property the pipeline relies on: a box-blurred copy of a random crop scores lower.
  const SharpnessShape s{2, 1, 40, 40};
  auto crops = random_crops(s, 3);
  for (size_t y = 1; y + 1 < 40; ++y)
    for (size_t x = 1; x + 1 < 40; ++x) {
      float acc = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) acc += crops[(y + dy) * 40 + x + dx];
      crops[1600 + y * 40 + x] = acc / 9;
    }
  const float w = 1;
  double out[2];
  ASSERT_TRUE(laplacian_variance(crops.data(), crops.size(), s, &w, out, 1));
  EXPECT_LT(out[1], out[0] / 4);
}

TEST(LaplacianVariance, EmptyAndShortInputs) {
  const float w[3] = {1, 1, 1};
  double out = -1;
  EXPECT_TRUE(laplacian_variance(nullptr, 0, SharpnessShape{0, 3, 112, 112}, w, nullptr, 1));
  const SharpnessShape s{1, 3, 8, 8};
  std::vector<float> crops(sharpness_input_size(s) - 1);
  EXPECT_FALSE(laplacian_variance(crops.data(), crops.size(), s, w, &out, 1));
  EXPECT_EQ(out, -1);
  EXPECT_FALSE(laplacian_variance(crops.data(), crops.size() + 1, s, nullptr, &out, 1));
  const SharpnessShape huge{SIZE_MAX / 2, 3, 112, 112};
  EXPECT_EQ(sharpness_input_size(huge), SIZE_MAX);
  EXPECT_FALSE(laplacian_variance(crops.data(), crops.size(), huge, w, &out, 1));
}

}  // namespace
}  // namespace facecore
