// Bindings for marginSoftmax (sync and async). The TypeScript layer validates and allocates
// the outputs; this file re-checks every size and label before the kernel runs.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "promise_worker.h"
#include "bindings.h"
#include "facecore/margin_softmax.h"
#include "facecore/optimizer.h"
#include "non_finite.h"

namespace facecore::addon {
namespace {

constexpr double kMaxDim = 1 << 20;
constexpr double kPi = 3.14159265358979323846;

struct MarginJob {
  MarginProblem problem;
  MarginParams params;
  ArrayView<float> x, w, grad_x, grad_w;
  ArrayView<double> out;  // loss, accuracy, counted
  int threads = 1;
  Status status = Status::kOk;
  std::string failure() const { return status == Status::kOk ? std::string() : error(); }

  void run() {
    MarginResult r;
    status = margin_softmax(problem, params, grad_x.data, grad_w.data, &r, threads);
    out.data[0] = r.loss;
    out.data[1] = r.accuracy;
    out.data[2] = static_cast<double>(r.counted);
  }
  std::string error() const { return non_finite_message({{"x", x.data, x.length}, {"w", w.data, w.length}}, problem.dim); }
};

ArrayView<float> optional_floats(const Napi::Value& v, const char* name, size_t need) {
  if (v.IsNull() || v.IsUndefined()) return {};
  auto a = typed_array<float>(v, name);
  if (a.length < need)
    throw_range(v.Env(), std::string(name) + ": expected a Float32Array of at least " + std::to_string(need) +
                             " elements, got " + std::to_string(a.length));
  return a;
}

// marginSoftmax(x, w, dim, classes, subcenters, labels, active, s, m1, m2, m3, gradX, gradW, out, threads)
std::unique_ptr<MarginJob> parse(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Napi::Env env = info.Env();
  expect_args(info, 15, "marginSoftmax");
  auto job = std::make_unique<MarginJob>();
  MarginProblem& pr = job->problem;
  job->x = typed_array<float>(info[0], "x");
  job->w = typed_array<float>(info[1], "w");
  pr.dim = size_arg(info[2], "dim", 1, kMaxDim);
  pr.classes = size_arg(info[3], "classes", 1, 2147483647.0);
  pr.subcenters = size_arg(info[4], "subcenters", 1, 1024);
  if (job->x.length % pr.dim != 0)
    throw_range(env, "x: expected a length that is a multiple of dim (" + std::to_string(pr.dim) + "), got " +
                         std::to_string(job->x.length));
  pr.batch = job->x.length / pr.dim;
  const size_t w_len = pr.classes * pr.subcenters * pr.dim;
  if (job->w.length != w_len)
    throw_range(env, "w: expected classes * subcenters * dim = " + std::to_string(w_len) + " elements, got " +
                         std::to_string(job->w.length));
  auto labels = typed_array<int32_t>(info[5], "labels");
  if (labels.length != pr.batch)
    throw_range(env, "labels: expected one label per row of x (" + std::to_string(pr.batch) + "), got " +
                         std::to_string(labels.length));
  pr.labels = labels.data;
  size_t n_cls = pr.classes;
  if (!info[6].IsNull() && !info[6].IsUndefined()) {
    auto active = typed_array<int32_t>(info[6], "activeClasses");
    if (active.length == 0) throw_range(env, "activeClasses: expected at least one class, got an empty list");
    std::vector<char> seen(pr.classes, 0);
    for (size_t a = 0; a < active.length; ++a) {
      const int32_t c = active.data[a];
      if (c < 0 || static_cast<size_t>(c) >= pr.classes)
        throw_range(env, "activeClasses: expected class ids in [0, " + std::to_string(pr.classes) + "), got " +
                             std::to_string(c) + " at index " + std::to_string(a));
      if (seen[c]) throw_range(env, "activeClasses: expected distinct class ids, got " + std::to_string(c) + " twice");
      seen[c] = 1;
    }
    pr.active = active.data;
    pr.n_active = active.length;
    n_cls = active.length;
  }
  for (size_t i = 0; i < pr.batch; ++i)
    if (pr.labels[i] < -1 || pr.labels[i] >= static_cast<int64_t>(n_cls))
      throw_range(env, std::string("labels: expected values in [-1, ") + std::to_string(n_cls) + ")" +
                           (pr.active ? " (indices into activeClasses)" : "") + ", got " +
                           std::to_string(pr.labels[i]) + " at index " + std::to_string(i));
  pr.x = job->x.data;
  pr.w = job->w.data;
  MarginParams& p = job->params;
  p.s = number_arg(info[7], "s");
  p.m1 = number_arg(info[8], "m1");
  p.m2 = number_arg(info[9], "m2");
  p.m3 = number_arg(info[10], "m3");
  if (p.s <= 0) throw_range(env, "s: expected a number > 0, got " + std::to_string(p.s));
  if (p.m1 <= 0) throw_range(env, "m1: expected a number > 0, got " + std::to_string(p.m1));
  if (p.m2 < 0 || p.m2 >= kPi) throw_range(env, "m2: expected a number in [0, pi), got " + std::to_string(p.m2));
  job->grad_x = optional_floats(info[11], "gradX", pr.batch * pr.dim);
  job->grad_w = optional_floats(info[12], "gradW", n_cls * pr.subcenters * pr.dim);
  job->out = typed_array<double>(info[13], "out");
  if (job->out.length < 3) throw_range(env, "out: expected a Float64Array of at least 3 elements, got " + std::to_string(job->out.length));
  job->threads = static_cast<int>(size_arg(info[14], "threads", 1, 1024));
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
  return PromiseWorker<MarginJob>::Start(info.Env(), "facecore.margin", std::move(job), std::move(keep));
}

// marginGemmsProbe(x, w, dim, classes, subcenters, recompute, gradX, gradW, threads): benchmarks only.
Napi::Value GemmsProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_args(info, 9, "marginGemmsProbe");
  auto x = typed_array<float>(info[0], "x");
  auto w = typed_array<float>(info[1], "w");
  const size_t dim = size_arg(info[2], "dim", 1, kMaxDim);
  const size_t classes = size_arg(info[3], "classes", 1, 2147483647.0);
  const size_t K = size_arg(info[4], "subcenters", 1, 1024);
  if (!info[5].IsBoolean()) throw_type(env, "recompute: expected a boolean, got " + describe(info[5]));
  const bool recompute = info[5].As<Napi::Boolean>().Value();
  auto gx = typed_array<float>(info[6], "gradX");
  auto gw = typed_array<float>(info[7], "gradW");
  const int threads = static_cast<int>(size_arg(info[8], "threads", 1, 1024));
  if (x.length % dim != 0) throw_range(env, "x: expected a length that is a multiple of dim");
  if (w.length != classes * K * dim) throw_range(env, "w: expected classes * subcenters * dim elements");
  if (gx.length < x.length || gw.length < w.length) throw_range(env, "gradX, gradW: expected the sizes of x and w");
  margin_gemms_probe(x.data, x.length / dim, w.data, classes, K, dim, recompute, gx.data, gw.data, threads);
  return env.Undefined();
}

// optimizerStep(w, state0, state1, grad, rows, rowLength, kind, lr, momentum, weightDecay, beta1, beta2, eps, step, threads)
Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_args(info, 15, "optimizerStep");
  auto w = typed_array<float>(info[0], "w");
  const size_t row_length = size_arg(info[5], "rowLength", 1, 1u << 30);
  if (w.length % row_length != 0)
    throw_range(env, "w: expected a length that is a multiple of rowLength (" + std::to_string(row_length) + "), got " +
                         std::to_string(w.length));
  const size_t w_rows = w.length / row_length;
  OptimizerParams p;
  p.kind = size_arg(info[6], "kind", 0, 1) == 1 ? OptimizerKind::kAdamW : OptimizerKind::kSgd;
  auto state = [&](const Napi::Value& v, const char* name, bool required) -> float* {
    if (v.IsNull() || v.IsUndefined()) {
      if (required) throw_type(env, std::string(name) + ": expected a Float32Array, got " + describe(v));
      return nullptr;
    }
    auto a = typed_array<float>(v, name);
    if (a.length != w.length)
      throw_range(env, std::string(name) + ": expected " + std::to_string(w.length) + " elements (like w), got " +
                           std::to_string(a.length));
    return a.data;
  };
  const bool adam = p.kind == OptimizerKind::kAdamW;
  float* s0 = state(info[1], "state0", adam);
  float* s1 = state(info[2], "state1", adam);
  auto g = typed_array<float>(info[3], "grad");
  const int32_t* rows = nullptr;
  size_t n_rows = w_rows;
  if (!info[4].IsNull() && !info[4].IsUndefined()) {
    auto r = typed_array<int32_t>(info[4], "rows");
    for (size_t a = 0; a < r.length; ++a)
      if (r.data[a] < 0 || static_cast<size_t>(r.data[a]) >= w_rows)
        throw_range(env, "rows: expected row ids in [0, " + std::to_string(w_rows) + "), got " + std::to_string(r.data[a]) +
                             " at index " + std::to_string(a));
    rows = r.data;
    n_rows = r.length;
  }
  if (g.length < n_rows * row_length)
    throw_range(env, "grad: expected at least " + std::to_string(n_rows * row_length) + " elements, got " +
                         std::to_string(g.length));
  p.lr = static_cast<float>(number_arg(info[7], "lr"));
  p.momentum = static_cast<float>(number_arg(info[8], "momentum"));
  p.weight_decay = static_cast<float>(number_arg(info[9], "weightDecay"));
  p.beta1 = static_cast<float>(number_arg(info[10], "beta1"));
  p.beta2 = static_cast<float>(number_arg(info[11], "beta2"));
  p.eps = static_cast<float>(number_arg(info[12], "eps"));
  const double step = static_cast<double>(size_arg(info[13], "step", 1, 9007199254740991.0));
  p.bias1 = static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta1), step));
  p.bias2 = static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta2), step));
  if (adam && (p.bias1 <= 0 || p.bias2 <= 0)) throw_range(env, "beta1, beta2: expected numbers in [0, 1)");
  const int threads = static_cast<int>(size_arg(info[14], "threads", 1, 1024));
  optimizer_step(w.data, s0, s1, g.data, rows, n_rows, row_length, p, threads);
  return env.Undefined();
}

}  // namespace

void InitMargin(Napi::Env env, Napi::Object exports) {
  exports.Set("marginSoftmax", Napi::Function::New(env, RunSync));
  exports.Set("marginSoftmaxAsync", Napi::Function::New(env, RunAsync));
  exports.Set("marginGemmsProbe", Napi::Function::New(env, GemmsProbe));
  exports.Set("optimizerStep", Napi::Function::New(env, OptimizerStep));
}

}  // namespace facecore::addon
