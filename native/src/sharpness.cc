// Variance of the Laplacian per crop, one crop per pool task. Rows of the grey image are built
// three at a time in a rolling buffer, so each plane value is read once; sums run in float64
// per row (a 112-wide row of float products loses nothing that matters) and per crop.
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

double crop_variance(const float* crop, const SharpnessShape& s, const float* weights, std::vector<float>& buf) {
  if (s.height < 3 || s.width < 3) return 0;
  const size_t w = s.width;
  float* rows[3] = {buf.data(), buf.data() + w, buf.data() + 2 * w};
  grey_row(crop, s, weights, 0, rows[0]);
  grey_row(crop, s, weights, 1, rows[1]);
  double sum = 0, sum_sq = 0;
  for (size_t y = 1; y + 1 < s.height; ++y) {
    grey_row(crop, s, weights, y + 1, rows[2]);
    const float *up = rows[0], *mid = rows[1], *down = rows[2];
    double row_sum = 0, row_sq = 0;
    for (size_t x = 1; x + 1 < w; ++x) {
      const double lap = static_cast<double>(up[x]) + down[x] + mid[x - 1] + mid[x + 1] - 4.0 * mid[x];
      row_sum += lap;
      row_sq += lap * lap;
    }
    sum += row_sum;
    sum_sq += row_sq;
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
    buf.resize(3 * s.width);
    out[i] = crop_variance(crops + static_cast<size_t>(i) * per_crop, s, weights, buf);
  });
  return true;
}

}  // namespace facecore
