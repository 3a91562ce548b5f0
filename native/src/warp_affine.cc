// Batched warp-affine: splits crops x row bands over the pool and runs one ISA's row kernel.
#include "facecore/warp_affine.h"

#include <algorithm>
#include <climits>

#include "facecore/cpu_features.h"
#include "facecore/parallel.h"
#include "warp_affine_pixel.h"

namespace facecore {
namespace detail {

void warp_row_scalar(const WarpRowArgs& a) { warp_pixels(a, 0, a.p->out_width); }

WarpRowFn warp_row() {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return warp_row_avx512;
    case Isa::kAvx2: return warp_row_avx2;
    default: break;
  }
#endif
  return warp_row_scalar;
}

}  // namespace detail

size_t warp_output_size(const WarpImage& img, const WarpParams& p, size_t n) {
  const size_t plane = static_cast<size_t>(p.out_width) * p.out_height;
  return n * plane * (p.output == WarpOutput::kUint8 ? img.channels : 3);
}

namespace {

constexpr int kRowsPerTask = 16;  // 7 tasks per 112-row crop: enough to balance a single crop

bool valid(const WarpImage& img, const WarpParams& p) {
  if (img.data == nullptr || img.width <= 0 || img.height <= 0) return false;
  if (img.channels != 1 && img.channels != 3 && img.channels != 4) return false;
  if (img.stride < static_cast<size_t>(img.width) * img.channels) return false;
  if (img.length / img.stride < static_cast<size_t>(img.height)) return false;
  return p.out_width > 0 && p.out_height > 0;
}

}  // namespace

bool warp_affine(const WarpImage& img, const double* inverse, size_t n, const WarpParams& p, void* out,
                 int threads) {
  if (!valid(img, p)) return false;
  if (n == 0) return true;
  const int c = img.channels;
  int src_channel[4] = {0, 1, 2, 3};
  if (p.output == WarpOutput::kFloat32Nchw && c == 1) src_channel[1] = src_channel[2] = 0;
  if (p.bgr && c >= 3) std::swap(src_channel[0], src_channel[2]);
  float scale[3], bias[3];
  for (int k = 0; k < 3; ++k) {
    scale[k] = static_cast<float>(1.0 / p.std[k]);
    bias[k] = static_cast<float>(-static_cast<double>(p.mean[k]) / p.std[k]);
  }
  // SIMD gathers use int32 byte offsets and read 4 or 8 bytes per pixel: reads that would pass
  // the end of data (only at the last pixels of an image without slack) go the per-pixel way.
  // The SIMD interior test compares against width - 2 and height - 2 unsigned: an image one pixel
  // wide or high (-1) would pass every pixel as interior and read outside the image.
  const bool fast_ok = p.interp == WarpInterp::kBilinear && img.length >= 8 && img.length < static_cast<size_t>(INT_MAX) &&
                       img.width >= 2 && img.height >= 2;
  const int max_offset = fast_ok ? static_cast<int>(img.length - 4) : 0;

  const size_t plane = static_cast<size_t>(p.out_width) * p.out_height;
  const int bands = (p.out_height + kRowsPerTask - 1) / kRowsPerTask;
  const auto row = detail::warp_row();
  parallel_for(static_cast<int>(n * bands), threads, [&](int task) {
    const size_t i = task / bands;
    const int y0 = (task % bands) * kRowsPerTask, y1 = std::min(p.out_height, y0 + kRowsPerTask);
    detail::WarpRowArgs a{};
    a.img = &img;
    a.p = &p;
    a.m = inverse + 6 * i;
    a.scale = scale;
    a.bias = bias;
    a.src_channel = src_channel;
    a.fast_ok = fast_ok;
    a.max_offset = max_offset;
    for (int y = y0; y < y1; ++y) {
      a.y = y;
      const size_t at = i * plane + static_cast<size_t>(y) * p.out_width;
      if (p.output == WarpOutput::kUint8) {
        a.out_u8 = static_cast<uint8_t*>(out) + at * c;
      } else {
        float* base = static_cast<float*>(out) + i * 3 * plane + static_cast<size_t>(y) * p.out_width;
        for (int k = 0; k < 3; ++k) a.out_f32[k] = base + k * plane;
      }
      row(a);
    }
  });
  return true;
}

}  // namespace facecore
