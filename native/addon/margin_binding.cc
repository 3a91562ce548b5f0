// Bindings for marginSoftmax and optimizerStep (sync and async) and the benchmarks' GEMM probe:
// each takes one named options object into a baton. src/core/margin.ts and optimizer.ts
// validate and allocate the outputs; this file re-checks every size and label before a kernel runs.
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

// marginSoftmax({ x, w, dim, classes, subcenters, labels, activeClasses, s, m1, m2, m3, gradX, gradW,
//                 stats, threads }); activeClasses, gradX and gradW may be null.
std::unique_ptr<MarginJob> parse(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Options o(info, "marginSoftmax");
  Napi::Env env = o.env();
  auto job = std::make_unique<MarginJob>();
  MarginProblem& pr = job->problem;
  job->x = o.array<float>("x");
  job->w = o.array<float>("w");
  pr.dim = o.size("dim", 1, kMaxDim);
  pr.classes = o.size("classes", 1, 2147483647.0);
  pr.subcenters = o.size("subcenters", 1, 1024);
  if (job->x.length % pr.dim != 0)
    throw_range(env, "x: expected a length that is a multiple of dim (" + std::to_string(pr.dim) + "), got " +
                         std::to_string(job->x.length));
  pr.batch = job->x.length / pr.dim;
  const size_t w_len = pr.classes * pr.subcenters * pr.dim;
  if (job->w.length != w_len)
    throw_range(env, "w: expected classes * subcenters * dim = " + std::to_string(w_len) + " elements, got " +
                         std::to_string(job->w.length));
  const auto labels = o.array<int32_t>("labels");
  if (labels.length != pr.batch)
    throw_range(env, "labels: expected one label per row of x (" + std::to_string(pr.batch) + "), got " +
                         std::to_string(labels.length));
  pr.labels = labels.data;
  size_t n_cls = pr.classes;
  if (o.has("activeClasses")) {
    const auto active = o.array<int32_t>("activeClasses");
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
  p.s = o.number("s");
  p.m1 = o.number("m1");
  p.m2 = o.number("m2");
  p.m3 = o.number("m3");
  if (p.s <= 0) throw_range(env, "s: expected a number > 0, got " + std::to_string(p.s));
  if (p.m1 <= 0) throw_range(env, "m1: expected a number > 0, got " + std::to_string(p.m1));
  if (p.m2 < 0 || p.m2 >= kPi) throw_range(env, "m2: expected a number in [0, pi), got " + std::to_string(p.m2));
  job->grad_x = o.optional_array<float>("gradX", pr.batch * pr.dim);
  job->grad_w = o.optional_array<float>("gradW", n_cls * pr.subcenters * pr.dim);
  for (const auto& [name, out] : {std::pair{"gradX", job->grad_x}, std::pair{"gradW", job->grad_w}}) {
    expect_disjoint(env, name, out, "x", job->x);
    expect_disjoint(env, name, out, "w", job->w);
    expect_disjoint(env, name, out, "labels", labels);
  }
  expect_disjoint(env, "gradW", job->grad_w, "gradX", job->grad_x);
  job->out = o.array<double>("stats", 3);
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  o.keep(keep);
  return job;
}

// marginGemmsProbe({ x, w, dim, classes, subcenters, recompute, gradX, gradW, threads }): benchmarks only.
Napi::Value GemmsProbe(const Napi::CallbackInfo& info) {
  Options o(info, "marginGemmsProbe");
  Napi::Env env = o.env();
  const auto x = o.array<float>("x");
  const auto w = o.array<float>("w");
  const size_t dim = o.size("dim", 1, kMaxDim);
  const size_t classes = o.size("classes", 1, 2147483647.0);
  const size_t K = o.size("subcenters", 1, 1024);
  const bool recompute = o.flag("recompute");
  if (x.length % dim != 0) throw_range(env, "x: expected a length that is a multiple of dim");
  if (w.length != classes * K * dim) throw_range(env, "w: expected classes * subcenters * dim elements");
  const auto gx = o.array<float>("gradX", x.length);
  const auto gw = o.array<float>("gradW", w.length);
  const int threads = static_cast<int>(o.size("threads", 1, 1024));
  margin_gemms_probe(x.data, x.length / dim, w.data, classes, K, dim, recompute, gx.data, gw.data, threads);
  return env.Undefined();
}

struct OptimizerJob {
  float *w = nullptr, *state0 = nullptr, *state1 = nullptr;
  const float* grad = nullptr;
  const int32_t* rows = nullptr;
  size_t n_rows = 0, row_length = 0;
  OptimizerParams params;
  int threads = 1;
  std::string failure() const { return std::string(); }
  void run() { optimizer_step(w, state0, state1, grad, rows, n_rows, row_length, params, threads); }
};

// optimizerStep({ weights, state0, state1, grad, rows, rowLength, kind, lr, momentum, weightDecay,
//                 beta1, beta2, eps, step, threads }); state0, state1 (sgd) and rows may be null.
std::unique_ptr<OptimizerJob> parse_optimizer(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Options o(info, "optimizerStep");
  Napi::Env env = o.env();
  auto job = std::make_unique<OptimizerJob>();
  const auto w = o.array<float>("weights");
  const size_t row_length = o.size("rowLength", 1, 1u << 30);
  if (w.length % row_length != 0)
    throw_range(env, "weights: expected a length that is a multiple of rowLength (" + std::to_string(row_length) +
                         "), got " + std::to_string(w.length));
  const size_t w_rows = w.length / row_length;
  OptimizerParams& p = job->params;
  p.kind = o.size("kind", 0, 1) == 1 ? OptimizerKind::kAdamW : OptimizerKind::kSgd;
  const bool adam = p.kind == OptimizerKind::kAdamW;
  auto state = [&](const char* name) {
    if (adam && !o.has(name)) throw_type(env, std::string(name) + ": expected a Float32Array, got " + describe(o.get(name)));
    const auto a = o.optional_array<float>(name);
    if (a.data && a.length != w.length)
      throw_range(env, std::string(name) + ": expected " + std::to_string(w.length) + " elements (like weights), got " +
                           std::to_string(a.length));
    return a;
  };
  const auto s0 = state("state0"), s1 = state("state1");
  size_t n_rows = w_rows;
  const auto rows = o.optional_array<int32_t>("rows");
  if (rows.data) {
    // A repeated row would be updated twice, by two threads at once.
    std::vector<char> seen(w_rows, 0);
    for (size_t a = 0; a < rows.length; ++a) {
      const int32_t r = rows.data[a];
      if (r < 0 || static_cast<size_t>(r) >= w_rows)
        throw_range(env, "rows: expected row ids in [0, " + std::to_string(w_rows) + "), got " + std::to_string(r) +
                             " at index " + std::to_string(a));
      if (seen[r]) throw_range(env, "rows: expected distinct row ids, got " + std::to_string(r) + " twice");
      seen[r] = 1;
    }
    n_rows = rows.length;
  }
  const auto g = o.array<float>("grad", n_rows * row_length);
  expect_disjoint(env, "weights", w, "grad", g);
  expect_disjoint(env, "weights", w, "state0", s0);
  expect_disjoint(env, "weights", w, "state1", s1);
  expect_disjoint(env, "state0", s0, "grad", g);
  expect_disjoint(env, "state1", s1, "grad", g);
  expect_disjoint(env, "state0", s0, "state1", s1);
  for (const auto& [name, out] : {std::pair{"weights", w}, std::pair{"state0", s0}, std::pair{"state1", s1}})
    expect_disjoint(env, name, out, "rows", rows);
  p.lr = static_cast<float>(o.number("lr"));
  p.momentum = static_cast<float>(o.number("momentum"));
  p.weight_decay = static_cast<float>(o.number("weightDecay"));
  p.beta1 = static_cast<float>(o.number("beta1"));
  p.beta2 = static_cast<float>(o.number("beta2"));
  p.eps = static_cast<float>(o.number("eps"));
  const double step = static_cast<double>(o.size("step", 1, 9007199254740991.0));
  p.bias1 = static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta1), step));
  p.bias2 = static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta2), step));
  if (adam && (p.bias1 <= 0 || p.bias2 <= 0)) throw_range(env, "beta1, beta2: expected numbers in [0, 1)");
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  job->w = w.data;
  job->state0 = s0.data;
  job->state1 = s1.data;
  job->grad = g.data;
  job->rows = rows.data;
  job->n_rows = n_rows;
  job->row_length = row_length;
  o.keep(keep);
  return job;
}

}  // namespace

void InitMargin(Napi::Env env, Napi::Object exports) {
  export_sync_and_async<MarginJob, parse>(env, exports, "marginSoftmax");
  exports.Set("marginGemmsProbe", Napi::Function::New(env, GemmsProbe));
  export_sync_and_async<OptimizerJob, parse_optimizer>(env, exports, "optimizerStep");
}

}  // namespace facecore::addon
