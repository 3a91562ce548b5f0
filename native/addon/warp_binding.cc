// Bindings for warpAffine (sync and async): one named options object into a Job baton.
// src/core/warp.ts validates, inverts the matrices and allocates the output; this file
// re-checks every size before the kernel runs.
#include <cmath>
#include <memory>
#include <string>

#include "args.h"
#include "promise_worker.h"
#include "bindings.h"
#include "facecore/warp_affine.h"

namespace facecore::addon {
namespace {

constexpr double kMaxSide = 8192;          // output width / height
constexpr double kMaxImageSide = 1 << 20;  // input width / height

struct Job {
  WarpImage img;
  ArrayView<double> inverse;
  size_t n = 0;
  WarpParams params;
  void* out = nullptr;
  int threads = 1;
  bool ok = true;
  std::string failure() const { return ok ? std::string() : "warpAffine: invalid image or output size"; }
  void run() { ok = warp_affine(img, inverse.data, n, params, out, threads); }
};

const char* kFn = "warpAffine";

// warpAffine({ data, width, height, channels, stride, inverse, outWidth, outHeight, interpolation,
//              border, borderValue, output, bgr, mean, std, out, threads })
std::unique_ptr<Job> parse(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Options o(info, kFn);
  Napi::Env env = o.env();
  auto job = std::make_unique<Job>();
  WarpImage& img = job->img;
  const auto data = o.array<uint8_t>("data");
  img.data = data.data;
  img.length = data.length;
  img.width = static_cast<int>(o.size("width", 1, kMaxImageSide));
  img.height = static_cast<int>(o.size("height", 1, kMaxImageSide));
  img.channels = static_cast<int>(o.size("channels", 1, 4));
  if (img.channels == 2) throw_range(env, "channels: expected 1, 3 or 4, got 2");
  const size_t row = static_cast<size_t>(img.width) * img.channels;
  img.stride = o.size("stride", static_cast<double>(row), 4.0 * kMaxImageSide);
  if (img.length / img.stride < static_cast<size_t>(img.height))
    throw_range(env, "data: expected at least stride * height = " +
                         std::to_string(img.stride * static_cast<size_t>(img.height)) + " bytes, got " +
                         std::to_string(img.length));
  job->inverse = o.array<double>("inverse");
  if (job->inverse.length % 6 != 0)
    throw_range(env, "inverse: expected 6 numbers per matrix, got " + std::to_string(job->inverse.length));
  job->n = job->inverse.length / 6;
  for (size_t i = 0; i < job->inverse.length; ++i)
    if (!std::isfinite(job->inverse.data[i]))
      throw_range(env, "inverse[" + std::to_string(i / 6) + "]: expected finite entries with a finite inverse");
  WarpParams& p = job->params;
  p.out_width = static_cast<int>(o.size("outWidth", 1, kMaxSide));
  p.out_height = static_cast<int>(o.size("outHeight", 1, kMaxSide));
  p.interp = static_cast<WarpInterp>(o.size("interpolation", 0, 1));
  p.border = static_cast<WarpBorder>(o.size("border", 0, 1));
  const auto border_value = o.array<double>("borderValue");
  if (border_value.length != 4) throw_range(env, "borderValue: expected 4 values, got " + std::to_string(border_value.length));
  for (int k = 0; k < 4; ++k) p.border_value[k] = static_cast<float>(border_value.data[k]);
  p.output = static_cast<WarpOutput>(o.size("output", 0, 1));
  p.bgr = o.flag("bgr");
  const auto mean = o.array<double>("mean"), std_dev = o.array<double>("std");
  if (mean.length != 3 || std_dev.length != 3)
    throw_range(env, "mean, std: expected 3 values each, got " + std::to_string(mean.length) + " and " +
                         std::to_string(std_dev.length));
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(mean.data[k]) || !std::isfinite(std_dev.data[k]) || std_dev.data[k] == 0)
      throw_range(env, "mean, std: expected finite values and non-zero std");
    p.mean[k] = static_cast<float>(mean.data[k]);
    p.std[k] = static_cast<float>(std_dev.data[k]);
  }
  const size_t need = warp_output_size(img, p, job->n);
  if (p.output == WarpOutput::kUint8) {
    const auto out = o.array<uint8_t>("out", need);
    expect_disjoint(env, "out", out, "data", data);
    job->out = out.data;
  } else {
    const auto out = o.array<float>("out", need);
    expect_disjoint(env, "out", out, "data", data);
    job->out = out.data;
  }
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  o.keep(keep);
  return job;
}

}  // namespace

void InitWarp(Napi::Env env, Napi::Object exports) {
  export_sync_and_async<Job, parse>(env, exports, "warpAffine");
}

}  // namespace facecore::addon
