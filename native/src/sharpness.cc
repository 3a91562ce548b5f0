// Variance of the Laplacian per crop, one crop per pool task. Rows of the grey image are built
// three at a time in a rolling buffer, so each plane value is read once; the Laplacian is taken
// in float32, its sums in float64.
#include "facecore/sharpness.h"

#include <limits>
#include <vector>

#include "facecore/parallel.h"

namespace facecore {

size_t sharpness_input_size(const SharpnessShape& s) {
  size_t n = s.count;
  for (size_t f : {s.channels, s.height, s.width}) {
    if (f != 0 && n > std::numeric_limits<size_t>::max() / f) return std::numeric_limits<size_t>::max();
    n *= f;
  }
  return n;
}

namespace {

// Grey row y of one crop: sum over planes of weight * plane value.
void grey_row(const float* crop, const SharpnessShape& s, const float* weights, size_t y, float* row) {
  const size_t plane = s.height * s.width;
  const float* src = crop + y * s.width;
  for (size_t x = 0; x < s.width; ++x) row[x] = weights[0] * src[x];
  for (size_t c = 1; c < s.channels; ++c) {
    const float w = weights[c];
    const float* p = src + c * plane;
    for (size_t x = 0; x < s.width; ++x) row[x] += w * p[x];
  }
}

// Sum and sum of squares of v[0, n) in float64, kLanes independent accumulators each: no
// reassociation is needed, so the compiler vectorises this without -ffast-math.
constexpr size_t kLanes = 8;
void add_sums(const float* v, size_t n, double* sum, double* sum_sq) {
  double s[kLanes] = {}, q[kLanes] = {};
  size_t x = 0;
  for (; x + kLanes <= n; x += kLanes)
    for (size_t j = 0; j < kLanes; ++j) {
      const double d = v[x + j];
      s[j] += d;
      q[j] += d * d;
    }
  for (; x < n; ++x) {
    s[0] += v[x];
    q[0] += static_cast<double>(v[x]) * v[x];
  }
  for (size_t j = 0; j < kLanes; ++j) *sum += s[j], *sum_sq += q[j];
}

// buf holds 4 rows of `width` floats: three grey rows (rolling) and the Laplacian row.
double crop_variance(const float* crop, const SharpnessShape& s, const float* weights, std::vector<float>& buf) {
  if (s.height < 3 || s.width < 3) return 0;
  const size_t w = s.width;
  float* rows[3] = {buf.data(), buf.data() + w, buf.data() + 2 * w};
  float* lap = buf.data() + 3 * w;
  grey_row(crop, s, weights, 0, rows[0]);
  grey_row(crop, s, weights, 1, rows[1]);
  double sum = 0, sum_sq = 0;
  for (size_t y = 1; y + 1 < s.height; ++y) {
    grey_row(crop, s, weights, y + 1, rows[2]);
    const float *up = rows[0], *mid = rows[1], *down = rows[2];
    // float32: rounding ~1e-7 of the grey values, far below any difference in sharpness that matters.
    for (size_t x = 1; x + 1 < w; ++x) lap[x - 1] = (up[x] + down[x]) + (mid[x - 1] + mid[x + 1]) - 4.0f * mid[x];
    add_sums(lap, w - 2, &sum, &sum_sq);
    float* oldest = rows[0];
    rows[0] = rows[1];
    rows[1] = rows[2];
    rows[2] = oldest;
  }
  const double n = static_cast<double>((s.height - 2) * (w - 2));
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  return var > 0 ? var : 0;  // E[x^2] - E[x]^2 may round just below 0 for a constant crop
}

}  // namespace

bool laplacian_variance(const float* crops, size_t length, const SharpnessShape& s, const float* weights,
                        double* out, int threads) {
  if (s.count == 0) return true;
  const size_t need = sharpness_input_size(s);
  if (length < need || out == nullptr || weights == nullptr || s.channels == 0) return false;
  if (need > 0 && crops == nullptr) return false;
  if (s.count > static_cast<size_t>(std::numeric_limits<int>::max())) return false;  // pool task ids are int
  const size_t per_crop = s.channels * s.height * s.width;
  parallel_for(static_cast<int>(s.count), threads, [&](int i) {
    thread_local std::vector<float> buf;
    buf.resize(4 * s.width);
    out[i] = crop_variance(crops + static_cast<size_t>(i) * per_crop, s, weights, buf);
  });
  return true;
}

}  // namespace facecore
