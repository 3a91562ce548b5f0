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
  bool as_i8 = false;  // float32 rows scored as int8
  int32_t* control = nullptr;
  KnnStatus status = KnnStatus::kOk;

  void run() {
    // int32 slots of a JS typed array, read and written as lock-free atomics of the same layout.
    static_assert(sizeof(std::atomic<int32_t>) == sizeof(int32_t) && std::atomic<int32_t>::is_always_lock_free);
    KnnControl c{reinterpret_cast<const std::atomic<int32_t>*>(control), reinterpret_cast<std::atomic<int32_t>*>(control + 1)};
    status = as_i8 ? knn_graph_i8(static_cast<const float*>(rows.data), rows.n, rows.dim, k, metric, min_score,
                                  out_indices, out_scores, threads, c)
                   : knn_graph(rows, k, metric, min_score, out_indices, out_scores, threads, c);
  }
  // An abort is not a failure here: the TS layer sees its own flag and rejects with the signal's reason.
  std::string failure() const {
    return status == KnnStatus::kNonFinite ? "data: expected finite values, got NaN or Infinity (or float32 overflow)"
                                           : std::string();
  }
};

// The rows' typed array by storage: Float32Array (0), Uint16Array of binary16 (1), Int8Array (2).
const void* rows_data(const Options& o, Storage s, size_t need) {
  if (s == Storage::kF32) return o.array<float>("data", need).data;
  if (s == Storage::kF16) return o.array<uint16_t>("data", need).data;
  return o.array<int8_t>("data", need).data;
}

// knnGraphAsync({ data, scales, storage, n, dim, k, metric, minScore, threads, scoreAsInt8, outIndices, outScores,
//                 control })
Napi::Value KnnGraphAsync(const Napi::CallbackInfo& info) {
  const Options o(info, "knnGraphAsync");
  auto job = std::make_unique<KnnJob>();
  StoredRows& r = job->rows;
  r.storage = static_cast<Storage>(o.size("storage", 0, 2));
  r.n = o.size("n", 0, 2147483647.0);
  r.dim = o.size("dim", 1, 65536);
  r.data = rows_data(o, r.storage, r.n * r.dim);
  if (r.storage == Storage::kI8) r.scales = o.array<float>("scales", r.n).data;
  job->k = o.size("k", 1, 2147483647.0);
  job->metric = o.size("metric", 0, 1) == 0 ? Metric::kDot : Metric::kCosine;
  job->min_score = o.floor_or("minScore", -INFINITY);  // -Infinity keeps all
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  job->as_i8 = o.has("scoreAsInt8") && o.flag("scoreAsInt8");
  if (job->as_i8 && r.storage != Storage::kF32)
    throw_range(o.env(), "scoreAsInt8: expected float32 rows (storage 0), got storage " +
                             std::to_string(static_cast<int>(r.storage)));
  const size_t kk = r.n == 0 ? 0 : std::min(job->k, r.n - 1);
  job->out_indices = o.array<int32_t>("outIndices", r.n * kk).data;
  job->out_scores = o.array<float>("outScores", r.n * kk).data;
  job->control = o.array<int32_t>("control", 2).data;

  // Join queue for worker thread; every array read stays alive until then.
  auto keep = std::make_unique<KeepAlive>();
  o.keep(keep.get());
  return PromiseWorker<KnnJob>::Start(o.env(), "facecore.knnGraph", std::move(job), std::move(keep));
}

}  // namespace

void InitKnn(Napi::Env env, Napi::Object exports) {
  exports.Set("knnGraphAsync", Napi::Function::New(env, KnnGraphAsync));
}

}  // namespace facecore::addon
