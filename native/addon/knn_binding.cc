// Binding for knnGraphAsync: one named options object unpacked into a baton; the graph is
// built on a libuv worker. `control` (Int32Array(2)) is shared with JS: [0] is the abort
// flag JS sets, [1] the rows done the driver writes, which JS polls for progress.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>

#include "args.h"
#include "bindings.h"
#include "facecore/knn_graph.h"
#include "promise_worker.h"

namespace facecore::addon {
namespace {

struct KnnJob {
  StoredRows rows;
  size_t k = 0;
  Metric metric = Metric::kCosine;
  float min_score = 0;
  int32_t* out_indices = nullptr;
  float* out_scores = nullptr;
  int threads = 1;
  int32_t* control = nullptr;
  KnnStatus status = KnnStatus::kOk;

  void run() {
    // int32 slots of a JS typed array, read and written as lock-free atomics of the same layout.
    static_assert(sizeof(std::atomic<int32_t>) == sizeof(int32_t) && std::atomic<int32_t>::is_always_lock_free);
    KnnControl c{reinterpret_cast<const std::atomic<int32_t>*>(control), reinterpret_cast<std::atomic<int32_t>*>(control + 1)};
    status = knn_graph(rows, k, metric, min_score, out_indices, out_scores, threads, c);
  }
  // An abort is not a failure here: the TS layer sees its own flag and rejects with the signal's reason.
  std::string failure() const {
    return status == KnnStatus::kNonFinite ? "data: expected finite values, got NaN or Infinity (or float32 overflow)"
                                           : std::string();
  }
};

Napi::Value field(const Napi::Object& o, const char* name) { return o.Get(name); }

// The rows' typed array by storage: Float32Array (0), Uint16Array of binary16 (1), Int8Array (2).
const void* rows_data(const Napi::Value& v, Storage s, size_t need) {
  size_t length = 0;
  const void* data = nullptr;
  if (s == Storage::kF32) {
    auto a = typed_array<float>(v, "data");
    data = a.data, length = a.length;
  } else if (s == Storage::kF16) {
    auto a = typed_array<uint16_t>(v, "data");
    data = a.data, length = a.length;
  } else {
    auto a = typed_array<int8_t>(v, "data");
    data = a.data, length = a.length;
  }
  if (length < need)
    throw_range(v.Env(), "data: expected at least " + std::to_string(need) + " elements, got " + std::to_string(length));
  return data;
}

// knnGraphAsync({ data, scales, storage, n, dim, k, metric, minScore, threads, outIndices, outScores, control })
Napi::Value KnnGraphAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_args(info, 1, "knnGraphAsync");
  if (!info[0].IsObject()) throw_type(env, "options: expected an object, got " + describe(info[0]));
  const Napi::Object o = info[0].As<Napi::Object>();
  auto job = std::make_unique<KnnJob>();
  StoredRows& r = job->rows;
  r.storage = static_cast<Storage>(size_arg(field(o, "storage"), "storage", 0, 2));
  r.n = size_arg(field(o, "n"), "n", 0, 2147483647.0);
  r.dim = size_arg(field(o, "dim"), "dim", 1, 65536);
  r.data = rows_data(field(o, "data"), r.storage, r.n * r.dim);
  if (r.storage == Storage::kI8) {
    auto sc = typed_array<float>(field(o, "scales"), "scales");
    if (sc.length < r.n) throw_range(env, "scales: expected at least " + std::to_string(r.n) + " elements, got " + std::to_string(sc.length));
    r.scales = sc.data;
  }
  job->k = size_arg(field(o, "k"), "k", 1, 2147483647.0);
  job->metric = size_arg(field(o, "metric"), "metric", 0, 1) == 0 ? Metric::kDot : Metric::kCosine;
  const Napi::Value min_score = field(o, "minScore");
  if (!min_score.IsNumber()) throw_type(env, "minScore: expected a number, got " + describe(min_score));
  job->min_score = static_cast<float>(min_score.As<Napi::Number>().DoubleValue());  // -Infinity keeps all
  if (std::isnan(job->min_score)) throw_range(env, "minScore: expected a number, got NaN");
  job->threads = static_cast<int>(size_arg(field(o, "threads"), "threads", 1, 1024));
  const size_t kk = r.n == 0 ? 0 : std::min(job->k, r.n - 1);
  auto idx = typed_array<int32_t>(field(o, "outIndices"), "outIndices");
  auto sc = typed_array<float>(field(o, "outScores"), "outScores");
  if (idx.length < r.n * kk || sc.length < r.n * kk)
    throw_range(env, "out: expected outIndices and outScores of at least " + std::to_string(r.n * kk) +
                         " elements, got " + std::to_string(idx.length) + " and " + std::to_string(sc.length));
  job->out_indices = idx.data, job->out_scores = sc.data;
  auto control = typed_array<int32_t>(field(o, "control"), "control");
  if (control.length < 2) throw_range(env, "control: expected an Int32Array of 2 elements, got " + std::to_string(control.length));
  job->control = control.data;

  // Join queue for worker thread; the options object keeps every array alive until then.
  auto keep = std::make_unique<KeepAlive>();
  keep->hold(o);
  return PromiseWorker<KnnJob>::Start(env, "facecore.knnGraph", std::move(job), std::move(keep));
}

}  // namespace

void InitKnn(Napi::Env env, Napi::Object exports) {
  exports.Set("knnGraphAsync", Napi::Function::New(env, KnnGraphAsync));
}

}  // namespace facecore::addon
