// Bindings for similarityMatrix and topK (sync and async). The TypeScript layer validates
// and allocates the outputs; this file re-checks every size before any kernel runs.
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
  int threads = 1;
  ArrayView<float> out_scores;
  ArrayView<int32_t> out_indices;
  Status status = Status::kOk;
  std::string failure() const { return status == Status::kOk ? std::string() : error(); }

  void run() {
    status = topk ? topk_search(a.data, na, b.data, nb, dim, k, metric, out_indices.data, out_scores.data, threads)
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
// topK(queries, gallery, dim, k, metric, outIndices, outScores, threads)
std::unique_ptr<Job> parse(const Napi::CallbackInfo& info, bool topk, KeepAlive* keep) {
  Napi::Env env = info.Env();
  const char* fn = topk ? "topK" : "similarityMatrix";
  expect_args(info, topk ? 8 : 6, fn);
  auto job = std::make_unique<Job>();
  job->topk = topk;
  job->a = typed_array<float>(info[0], topk ? "queries" : "a");
  job->b = typed_array<float>(info[1], topk ? "gallery" : "b");
  job->dim = size_arg(info[2], "dim", 1, kMaxDim);
  job->na = rows_of(env, job->a, job->dim, topk ? "queries" : "a");
  job->nb = rows_of(env, job->b, job->dim, topk ? "gallery" : "b");
  size_t next = 3;
  if (topk) {
    job->k = size_arg(info[next++], "k", 1, 2147483647.0);
    if (job->nb > 2147483647u) throw_range(env, "gallery: expected at most 2^31 - 1 rows, got " + std::to_string(job->nb));
  }
  job->metric = metric_arg(info[next++]);
  if (topk) {
    const size_t kk = job->k < job->nb ? job->k : job->nb;
    job->out_indices = typed_array<int32_t>(info[next++], "outIndices");
    job->out_scores = typed_array<float>(info[next++], "outScores");
    if (job->out_indices.length < job->na * kk || job->out_scores.length < job->na * kk)
      throw_range(env, "out: expected outIndices and outScores of at least " + std::to_string(job->na * kk) +
                           " elements, got " + std::to_string(job->out_indices.length) + " and " +
                           std::to_string(job->out_scores.length));
  } else {
    job->out_scores = typed_array<float>(info[next++], "out");
    if (job->out_scores.length < job->na * job->nb)
      throw_range(env, "out: expected a Float32Array of at least " + std::to_string(job->na * job->nb) +
                           " elements, got " + std::to_string(job->out_scores.length));
  }
  job->threads = static_cast<int>(size_arg(info[next++], "threads", 1, 1024));
  if (keep) keep->hold_objects(info);
  return job;
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
