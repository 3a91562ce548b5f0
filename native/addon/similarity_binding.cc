// Bindings for similarityMatrix (positional) and topK (one named options object), sync and
// async. The TypeScript layer validates and allocates the outputs; this file re-checks every
// size before any kernel runs.
#include <limits>
#include <memory>
#include <string>

#include "args.h"
#include "promise_worker.h"
#include "bindings.h"
#include "facecore/parallel.h"
#include "facecore/similarity.h"
#include "facecore/topk.h"
#include "non_finite.h"

namespace facecore::addon {
namespace {

constexpr double kMaxDim = 1 << 20;

// Everything a similarity or top-k call needs, unpacked from JS ("baton").
struct Job {
  bool topk = false;
  ArrayView<float> a, b;  // queries / gallery
  size_t dim = 0, na = 0, nb = 0, k = 0;
  Metric metric = Metric::kCosine;
  float min_score = -std::numeric_limits<float>::infinity();
  int threads = 1;
  ArrayView<float> out_scores;
  ArrayView<int32_t> out_indices;
  Status status = Status::kOk;
  std::string failure() const { return status == Status::kOk ? std::string() : error(); }

  void run() {
    status = topk ? topk_search(a.data, na, b.data, nb, dim, k, metric, out_indices.data, out_scores.data, threads,
                                min_score)
                  : similarity_matrix(a.data, na, b.data, nb, dim, metric, out_scores.data, threads);
  }
  std::string error() const {
    return non_finite_message({{topk ? "queries" : "a", a.data, a.length}, {topk ? "gallery" : "b", b.data, b.length}},
                              dim);
  }
};

Metric metric_arg(const Napi::Value& v) {
  const size_t m = size_arg(v, "metric", 0, 1);
  return m == 0 ? Metric::kDot : Metric::kCosine;
}

size_t rows_of(Napi::Env env, const ArrayView<float>& v, size_t dim, const char* name) {
  if (v.length % dim != 0)
    throw_range(env, std::string(name) + ": expected a length that is a multiple of dim (" + std::to_string(dim) +
                         "), got " + std::to_string(v.length));
  return v.length / dim;
}

// similarityMatrix(a, b, dim, metric, out, threads)
std::unique_ptr<Job> parse_matrix(const Napi::CallbackInfo& info, KeepAlive* keep) {
  Napi::Env env = info.Env();
  expect_args(info, 6, "similarityMatrix");
  auto job = std::make_unique<Job>();
  job->a = typed_array<float>(info[0], "a");
  job->b = typed_array<float>(info[1], "b");
  job->dim = size_arg(info[2], "dim", 1, kMaxDim);
  job->na = rows_of(env, job->a, job->dim, "a");
  job->nb = rows_of(env, job->b, job->dim, "b");
  job->metric = metric_arg(info[3]);
  job->out_scores = typed_array<float>(info[4], "out");
  if (job->out_scores.length < job->na * job->nb)
    throw_range(env, "out: expected a Float32Array of at least " + std::to_string(job->na * job->nb) +
                         " elements, got " + std::to_string(job->out_scores.length));
  job->threads = static_cast<int>(size_arg(info[5], "threads", 1, 1024));
  if (keep) keep->hold_objects(info);
  return job;
}

// topK({ queries, gallery, dim, k, metric, minScore?, outIndices, outScores, threads })
std::unique_ptr<Job> parse_topk(const Napi::CallbackInfo& info, KeepAlive* keep) {
  const Options o(info, "topK");
  Napi::Env env = info.Env();
  auto job = std::make_unique<Job>();
  job->topk = true;
  job->a = o.array<float>("queries");
  job->b = o.array<float>("gallery");
  job->dim = o.size("dim", 1, kMaxDim);
  job->na = rows_of(env, job->a, job->dim, "queries");
  job->nb = rows_of(env, job->b, job->dim, "gallery");
  if (job->nb > 2147483647u) throw_range(env, "gallery: expected at most 2^31 - 1 rows, got " + std::to_string(job->nb));
  job->k = o.size("k", 1, 2147483647.0);
  job->metric = metric_arg(o.get("metric"));
  job->min_score = o.floor_or("minScore", -std::numeric_limits<float>::infinity());
  const size_t kk = job->k < job->nb ? job->k : job->nb;
  job->out_indices = o.array<int32_t>("outIndices");
  job->out_scores = o.array<float>("outScores");
  if (job->out_indices.length < job->na * kk || job->out_scores.length < job->na * kk)
    throw_range(env, "outIndices, outScores: expected at least " + std::to_string(job->na * kk) +
                         " elements each, got " + std::to_string(job->out_indices.length) + " and " +
                         std::to_string(job->out_scores.length));
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  o.keep(keep);
  return job;
}

std::unique_ptr<Job> parse(const Napi::CallbackInfo& info, bool topk, KeepAlive* keep) {
  return topk ? parse_topk(info, keep) : parse_matrix(info, keep);
}

Napi::Value RunSync(const Napi::CallbackInfo& info, bool topk) {
  auto job = parse(info, topk, nullptr);
  return RunNow(info.Env(), *job);
}

Napi::Value RunAsync(const Napi::CallbackInfo& info, bool topk) {
  auto keep = std::make_unique<KeepAlive>();
  auto job = parse(info, topk, keep.get());
  return PromiseWorker<Job>::Start(info.Env(), "facecore.similarity", std::move(job), std::move(keep));
}

}  // namespace

void InitSimilarity(Napi::Env env, Napi::Object exports) {
  exports.Set("similarityMatrix", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return RunSync(i, false); }));
  exports.Set("similarityMatrixAsync",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return RunAsync(i, false); }));
  exports.Set("topK", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return RunSync(i, true); }));
  exports.Set("topKAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return RunAsync(i, true); }));
}

}  // namespace facecore::addon
