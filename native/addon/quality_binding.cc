// Bindings for laplacianVariance (sync and async). One named options object:
//   { crops: Float32Array, count, channels, height, width, weights: Float32Array,
//     out: Float64Array, threads }
// unpacked into a Job; every size is re-checked here before the kernel reads memory.
#include <cmath>
#include <memory>
#include <string>

#include "args.h"
#include "bindings.h"
#include "promise_worker.h"
#include "facecore/sharpness.h"

namespace facecore::addon {
namespace {

constexpr double kMaxSide = 8192;
constexpr double kMaxChannels = 4;
constexpr double kMaxCount = 1 << 24;

struct Job {
  ArrayView<float> crops, weights;
  ArrayView<double> out;
  SharpnessShape shape;
  int threads = 1;
  bool ok = true;
  std::string failure() const { return ok ? std::string() : "laplacianVariance: invalid crop shape or buffer"; }
  void run() { ok = laplacian_variance(crops.data, crops.length, shape, weights.data, out.data, threads); }
};

const char* kFn = "laplacianVariance";


std::unique_ptr<Job> parse(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Napi::Env env = info.Env();
  expect_args(info, 1, kFn);
  if (!info[0].IsObject() || info[0].IsTypedArray() || info[0].IsArray())
    throw_type(env, std::string(kFn) + ": expected an options object, got " + describe(info[0]));
  const auto o = info[0].As<Napi::Object>();
  auto job = std::make_unique<Job>();
  SharpnessShape& s = job->shape;
  s.count = size_arg(o.Get("count"), "count", 0, kMaxCount);
  s.channels = size_arg(o.Get("channels"), "channels", 1, kMaxChannels);
  s.height = size_arg(o.Get("height"), "height", 1, kMaxSide);
  s.width = size_arg(o.Get("width"), "width", 1, kMaxSide);
  job->crops = typed_array<float>(o.Get("crops"), "crops");
  const size_t need = sharpness_input_size(s);  // <= 2^24 * 4 * 2^26: no overflow
  if (job->crops.length < need)
    throw_range(env, "crops: expected a Float32Array of at least count * channels * height * width = " +
                         std::to_string(need) + " elements, got " + std::to_string(job->crops.length));
  job->weights = typed_array<float>(o.Get("weights"), "weights");
  if (job->weights.length != s.channels)
    throw_range(env, "weights: expected " + std::to_string(s.channels) + " (one per channel), got " +
                         std::to_string(job->weights.length));
  for (size_t c = 0; c < s.channels; ++c)
    if (!std::isfinite(job->weights.data[c])) throw_range(env, "weights[" + std::to_string(c) + "]: expected a finite number");
  job->out = typed_array<double>(o.Get("out"), "out");
  if (job->out.length < s.count)
    throw_range(env, "out: expected a Float64Array of at least " + std::to_string(s.count) + " elements, got " +
                         std::to_string(job->out.length));
  job->threads = static_cast<int>(size_arg(o.Get("threads"), "threads", 1, 1024));
  if (keep) {
    keep->hold(o.Get("crops"));
    keep->hold(o.Get("weights"));
    keep->hold(o.Get("out"));
  }
  return job;
}

Napi::Value RunSync(const Napi::CallbackInfo& info) {
  auto job = parse(info, nullptr);
  return RunNow(info.Env(), *job);
}

Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  auto keep = std::make_unique<KeepAlive>();
  auto job = parse(info, keep.get());
  return PromiseWorker<Job>::Start(info.Env(), "facecore.laplacianVariance", std::move(job), std::move(keep));
}

}  // namespace

void InitQuality(Napi::Env env, Napi::Object exports) {
  exports.Set("laplacianVariance", Napi::Function::New(env, RunSync));
  exports.Set("laplacianVarianceAsync", Napi::Function::New(env, RunAsync));
}

}  // namespace facecore::addon
