// Batched affine warp of one 8-bit HWC image into n crops (OpenCV warpAffine conventions:
// pixel centres at integer coordinates, each destination pixel inverse-mapped into the source,
// bilinear over the 2x2 neighbourhood or nearest, constant or replicated border), written either
// as uint8 HWC crops or straight into a normalised float32 NCHW tensor (a recogniser's input).
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore {

enum class WarpInterp : int { kBilinear = 0, kNearest = 1 };
enum class WarpBorder : int { kConstant = 0, kReplicate = 1 };
enum class WarpOutput : int { kUint8 = 0, kFloat32Nchw = 1 };

struct WarpImage {
  const uint8_t* data = nullptr;
  size_t length = 0;  // bytes in data; >= stride * height
  int width = 0, height = 0, channels = 0;  // channels 1 | 3 | 4
  size_t stride = 0;                         // bytes per row; >= width * channels
};

struct WarpParams {
  int out_width = 0, out_height = 0;
  WarpInterp interp = WarpInterp::kBilinear;
  WarpBorder border = WarpBorder::kConstant;
  float border_value[4] = {0, 0, 0, 0};  // per source channel, in pixel units
  WarpOutput output = WarpOutput::kUint8;
  bool bgr = false;  // swap channels 0 and 2 on output (3 and 4 channel images)
  // float32-nchw: out = (v - mean[c]) / std[c] per output channel; always 3 output channels
  // (grayscale expands, alpha drops).
  float mean[3] = {0, 0, 0}, std[3] = {1, 1, 1};
};

// Elements of the output: n * H * W * C (uint8) or n * 3 * H * W (float32-nchw).
size_t warp_output_size(const WarpImage& img, const WarpParams& p, size_t n);

// Writes n crops. `inverse` holds n row-major 2x3 matrices mapping destination pixels to
// source coordinates (the inverse of OpenCV's M), finite. `out` is uint8_t* or float*, of
// warp_output_size elements. The caller checks every size; returns false (writing nothing)
// only if those preconditions fail.
bool warp_affine(const WarpImage& img, const double* inverse, size_t n, const WarpParams& p, void* out,
                 int threads);

namespace detail {

// One ISA's row kernel: destination row y, columns [0, out_width), of crop with inverse m.
struct WarpRowArgs {
  const WarpImage* img;
  const WarpParams* p;
  const double* m;
  int y;
  uint8_t* out_u8;      // row start (uint8)
  float* out_f32[3];    // row start in each output plane (float32-nchw)
  const float* scale;   // 1 / std per output channel
  const float* bias;    // -mean / std per output channel
  const int* src_channel;  // source channel of each output channel
  bool fast_ok;         // bilinear SIMD path allowed (int32 byte offsets fit)
  int max_offset;       // largest offset a 4-byte read may start at without passing the data's end
};

using WarpRowFn = void (*)(const WarpRowArgs&);
void warp_row_scalar(const WarpRowArgs& a);
void warp_row_avx2(const WarpRowArgs& a);
void warp_row_avx512(const WarpRowArgs& a);
WarpRowFn warp_row();

}  // namespace detail
}  // namespace facecore
