// Bindings for warpAffine (sync and async). The TypeScript layer validates options, inverts
// the matrices and allocates the output; this file re-checks every size before the kernel runs.
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

// warpAffine(data, width, height, channels, stride, inverse, outWidth, outHeight, interp, border,
//            borderValue, output, bgr, norm, out, threads)
std::unique_ptr<Job> parse(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Napi::Env env = info.Env();
  expect_args(info, 16, kFn);
  auto job = std::make_unique<Job>();
  WarpImage& img = job->img;
  const auto data = typed_array<uint8_t>(info[0], "image.data");
  img.data = data.data;
  img.length = data.length;
  img.width = static_cast<int>(size_arg(info[1], "image.width", 1, kMaxImageSide));
  img.height = static_cast<int>(size_arg(info[2], "image.height", 1, kMaxImageSide));
  img.channels = static_cast<int>(size_arg(info[3], "image.channels", 1, 4));
  if (img.channels == 2) throw_range(env, "image.channels: expected 1, 3 or 4, got 2");
  const size_t row = static_cast<size_t>(img.width) * img.channels;
  img.stride = size_arg(info[4], "image.stride", static_cast<double>(row), 4.0 * kMaxImageSide);
  if (img.length / img.stride < static_cast<size_t>(img.height))
    throw_range(env, "image.data: expected at least stride * height = " +
                         std::to_string(img.stride * static_cast<size_t>(img.height)) + " bytes, got " +
                         std::to_string(img.length));
  job->inverse = typed_array<double>(info[5], "matrices");
  if (job->inverse.length % 6 != 0)
    throw_range(env, "matrices: expected 6 numbers per matrix, got " + std::to_string(job->inverse.length));
  job->n = job->inverse.length / 6;
  for (size_t i = 0; i < job->inverse.length; ++i)
    if (!std::isfinite(job->inverse.data[i]))
      throw_range(env, "matrices[" + std::to_string(i / 6) + "]: expected finite entries with a finite inverse");
  WarpParams& p = job->params;
  p.out_width = static_cast<int>(size_arg(info[6], "options.width", 1, kMaxSide));
  p.out_height = static_cast<int>(size_arg(info[7], "options.height", 1, kMaxSide));
  p.interp = static_cast<WarpInterp>(size_arg(info[8], "options.interpolation", 0, 1));
  p.border = static_cast<WarpBorder>(size_arg(info[9], "options.border", 0, 1));
  const auto border_value = typed_array<double>(info[10], "options.borderValue");
  if (border_value.length != 4) throw_range(env, "options.borderValue: expected 4 values, got " + std::to_string(border_value.length));
  for (int k = 0; k < 4; ++k) p.border_value[k] = static_cast<float>(border_value.data[k]);
  p.output = static_cast<WarpOutput>(size_arg(info[11], "options.output", 0, 1));
  if (!info[12].IsBoolean()) throw_type(env, "options.channelOrder: expected a boolean bgr flag, got " + describe(info[12]));
  p.bgr = info[12].As<Napi::Boolean>().Value();
  const auto norm = typed_array<double>(info[13], "options.mean/std");
  if (norm.length != 6) throw_range(env, "options.mean/std: expected 6 values, got " + std::to_string(norm.length));
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(norm.data[k]) || !std::isfinite(norm.data[3 + k]) || norm.data[3 + k] == 0)
      throw_range(env, "options.mean/std: expected finite values and non-zero std");
    p.mean[k] = static_cast<float>(norm.data[k]);
    p.std[k] = static_cast<float>(norm.data[3 + k]);
  }
  const size_t need = warp_output_size(img, p, job->n);
  if (p.output == WarpOutput::kUint8) {
    const auto out = typed_array<uint8_t>(info[14], "options.out");
    if (out.length < need)
      throw_range(env, "options.out: expected a Uint8Array of at least " + std::to_string(need) + " elements, got " +
                           std::to_string(out.length));
    job->out = out.data;
  } else {
    const auto out = typed_array<float>(info[14], "options.out");
    if (out.length < need)
      throw_range(env, "options.out: expected a Float32Array of at least " + std::to_string(need) + " elements, got " +
                           std::to_string(out.length));
    job->out = out.data;
  }
  job->threads = static_cast<int>(size_arg(info[15], "threads", 1, 1024));
  if (keep) keep->hold_objects(info);
  return job;
}

Napi::Value RunSync(const Napi::CallbackInfo& info) {
  auto job = parse(info, nullptr);
  return RunNow(info.Env(), *job);
}

Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  auto keep = std::make_unique<KeepAlive>();
  auto job = parse(info, keep.get());
  return PromiseWorker<Job>::Start(info.Env(), "facecore.warpAffine", std::move(job), std::move(keep));
}

}  // namespace

void InitWarp(Napi::Env env, Napi::Object exports) {
  exports.Set("warpAffine", Napi::Function::New(env, RunSync));
  exports.Set("warpAffineAsync", Napi::Function::New(env, RunAsync));
}

}  // namespace facecore::addon
