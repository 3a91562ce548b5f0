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
  const Options o(info, kFn);
  Napi::Env env = o.env();
  auto job = std::make_unique<Job>();
  SharpnessShape& s = job->shape;
  s.count = o.size("count", 0, kMaxCount);
  s.channels = o.size("channels", 1, kMaxChannels);
  s.height = o.size("height", 1, kMaxSide);
  s.width = o.size("width", 1, kMaxSide);
  // count * channels * height * width <= 2^24 * 4 * 2^26: no overflow.
  job->crops = o.array<float>("crops", sharpness_input_size(s));
  job->weights = o.array<float>("weights");
  if (job->weights.length != s.channels)
    throw_range(env, "weights: expected " + std::to_string(s.channels) + " (one per channel), got " +
                         std::to_string(job->weights.length));
  for (size_t c = 0; c < s.channels; ++c)
    if (!std::isfinite(job->weights.data[c])) throw_range(env, "weights[" + std::to_string(c) + "]: expected a finite number");
  job->out = o.array<double>("out", s.count);
  expect_disjoint(env, "out", job->out, "crops", job->crops);
  expect_disjoint(env, "out", job->out, "weights", job->weights);
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  o.keep(keep);
  return job;
}

}  // namespace

void InitQuality(Napi::Env env, Napi::Object exports) {
  export_sync_and_async<Job, parse>(env, exports, "laplacianVariance");
}

}  // namespace facecore::addon
