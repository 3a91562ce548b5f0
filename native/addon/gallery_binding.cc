// Bindings for a gallery's stored rows: encode (sync and on a worker), decode, search faces or
// identities (on a worker), and the id table. Each takes one named options object, unpacked
// into a job ("baton") whose every size is checked here before a kernel touches memory; the
// kernels (gallery_rows.h, gallery_search.h, id_table.h) do all the computing.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "args.h"
#include "bindings.h"
#include "facecore/gallery_rows.h"
#include "facecore/gallery_search.h"
#include "facecore/id_table.h"
#include "non_finite.h"
#include "promise_worker.h"

namespace facecore::addon {
namespace {

constexpr double kMaxDim = 65536;
constexpr double kMaxRows = 2147483647.0;

napi_typedarray_type storage_array(Storage s) {
  return s == Storage::kF32 ? napi_float32_array : s == Storage::kF16 ? napi_uint16_array : napi_int8_array;
}

Storage storage_of(const Options& o) { return static_cast<Storage>(o.size("storage", 0, 2)); }
Metric metric_of(const Options& o) { return o.size("metric", 0, 1) == 0 ? Metric::kDot : Metric::kCosine; }

// The stored rows' typed array (Float32Array / Uint16Array / Int8Array by storage), holding >= rows x dim.
void* stored_data(const Options& o, const char* key, Storage s, size_t rows, size_t dim) {
  const Napi::Value v = o.get(key);
  const char* want = typed_array_name(storage_array(s));
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != storage_array(s))
    throw_type(o.env(), std::string(key) + ": expected a " + want + " (storage " + std::to_string(int(s)) + "), got " +
                            describe(v));
  auto arr = v.As<Napi::TypedArray>();
  if (arr.ElementLength() < rows * dim)
    throw_range(o.env(), std::string(key) + ": expected at least " + std::to_string(rows * dim) + " elements, got " +
                             std::to_string(arr.ElementLength()));
  return static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
}

template <typename T>
T* at_least(const Options& o, const char* key, size_t n) {
  auto a = o.array<T>(key);
  if (a.length < n)
    throw_range(o.env(), std::string(key) + ": expected at least " + std::to_string(n) + " elements, got " +
                             std::to_string(a.length));
  return a.data;
}

float* scales_of(const Options& o, const char* key, Storage s, size_t rows) {
  return at_least<float>(o, key, s == Storage::kI8 ? rows : 0);
}

size_t rows_in(const Options& o, const ArrayView<float>& x, size_t dim, const char* key) {
  if (x.length % dim != 0)
    throw_range(o.env(), std::string(key) + ": expected a length that is a multiple of dim (" + std::to_string(dim) +
                             "), got " + std::to_string(x.length));
  return x.length / dim;
}

// galleryEncode({ vectors, dim, storage, normalize, outData, outScales })
struct EncodeJob {
  ArrayView<float> vectors;
  size_t dim = 0, n = 0;
  Storage storage = Storage::kF32;
  bool normalize = false;
  void* out = nullptr;
  float* scales = nullptr;
  Status status = Status::kOk;

  void run() { status = encode_rows(vectors.data, n, dim, storage, normalize, out, scales); }
  std::string failure() const {
    return status == Status::kOk ? std::string() : non_finite_message({{"vectors", vectors.data, vectors.length}}, dim);
  }
};

std::unique_ptr<EncodeJob> parse_encode(const Napi::CallbackInfo& info, KeepAlive* keep) {
  const Options o(info, "galleryEncode");
  auto job = std::make_unique<EncodeJob>();
  job->vectors = o.array<float>("vectors");
  job->dim = o.size("dim", 1, kMaxDim);
  job->n = rows_in(o, job->vectors, job->dim, "vectors");
  job->storage = storage_of(o);
  job->normalize = o.flag("normalize");
  job->out = stored_data(o, "outData", job->storage, job->n, job->dim);
  job->scales = scales_of(o, "outScales", job->storage, job->n);
  o.keep(keep);
  return job;
}

// galleryDecode({ data, scales, storage, dim, row, rows, out }): stored rows [row, row + rows) -> float32.
Napi::Value Decode(const Napi::CallbackInfo& info) {
  const Options o(info, "galleryDecode");
  const Storage storage = storage_of(o);
  const size_t dim = o.size("dim", 1, kMaxDim);
  const size_t row = o.size("row", 0, kMaxRows), rows = o.size("rows", 0, kMaxRows);
  const void* data = stored_data(o, "data", storage, row + rows, dim);
  const float* scales = scales_of(o, "scales", storage, row + rows);
  float* out = at_least<float>(o, "out", rows * dim);
  decode_rows(data, scales, storage, dim, row, rows, out);
  return info.Env().Undefined();
}

// gallerySearch({ queries, dim, metric, storage, data, scales, n, mask, k, minScore, outIndex, outScores, threads })
// gallerySearchLabels({ ...the same, labels, nLabels, aggregate })
struct SearchJob {
  bool by_label = false;
  ArrayView<float> queries;
  size_t nq = 0, k = 0, n_labels = 0;
  StoredRows rows;
  Metric metric = Metric::kCosine;
  Aggregate aggregate = Aggregate::kMax;
  float min_score = -std::numeric_limits<float>::infinity();
  const int32_t* labels = nullptr;
  int32_t* out_index = nullptr;
  float* out_scores = nullptr;
  int threads = 1;
  Status status = Status::kOk;

  std::string failure() const {
    return status == Status::kOk ? std::string() : non_finite_message({{"queries", queries.data, queries.length}}, rows.dim);
  }

  void run() {
    status = by_label ? index_top_labels(queries.data, nq, rows, labels, n_labels, aggregate, k, metric, out_index,
                                         out_scores, threads, min_score)
                      : index_topk(queries.data, nq, rows, k, metric, out_index, out_scores, threads, min_score);
  }
};

std::unique_ptr<SearchJob> parse_search(const Napi::CallbackInfo& info, bool by_label, KeepAlive* keep) {
  const Options o(info, by_label ? "gallerySearchLabels" : "gallerySearch");
  auto job = std::make_unique<SearchJob>();
  job->by_label = by_label;
  job->queries = o.array<float>("queries");
  const size_t dim = o.size("dim", 1, kMaxDim);
  job->nq = rows_in(o, job->queries, dim, "queries");
  job->metric = metric_of(o);
  StoredRows& r = job->rows;
  r.storage = storage_of(o);
  r.dim = dim;
  r.n = o.size("n", 0, kMaxRows);
  r.data = stored_data(o, "data", r.storage, r.n, dim);
  r.scales = scales_of(o, "scales", r.storage, r.n);
  if (o.has("mask")) r.mask = at_least<uint8_t>(o, "mask", r.n);
  if (by_label) {
    job->n_labels = o.size("nLabels", 0, kMaxRows);
    const int32_t* labels = at_least<int32_t>(o, "labels", r.n);
    for (size_t i = 0; i < r.n; ++i)
      if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= job->n_labels)
        throw_range(o.env(), "labels: expected values in [0, " + std::to_string(job->n_labels) + "), got " +
                                 std::to_string(labels[i]) + " at index " + std::to_string(i));
    job->labels = labels;
    job->aggregate = o.size("aggregate", 0, 1) == 0 ? Aggregate::kMax : Aggregate::kMean;
  }
  job->k = o.size("k", 1, kMaxRows);
  job->min_score = o.floor_or("minScore", -std::numeric_limits<float>::infinity());
  const size_t kk = std::min(job->k, by_label ? job->n_labels : r.n);
  job->out_index = at_least<int32_t>(o, "outIndex", job->nq * kk);
  job->out_scores = at_least<float>(o, "outScores", job->nq * kk);
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  o.keep(keep);
  return job;
}

template <class Job>
Napi::Value Async(const Napi::CallbackInfo& info, const char* name, std::unique_ptr<Job> (*parse)(const Napi::CallbackInfo&, KeepAlive*)) {
  auto keep = std::make_unique<KeepAlive>();
  auto job = parse(info, keep.get());
  return PromiseWorker<Job>::Start(info.Env(), name, std::move(job), std::move(keep));
}

// galleryIdTable({ bytes, count, table }) -> count, the index of the first repeated id, or -1
// if bytes is not `count` NUL-terminated ids. table: zeroed Int32Array, power-of-two length.
Napi::Value IdTable(const Napi::CallbackInfo& info) {
  const Options o(info, "galleryIdTable");
  auto bytes = o.array<uint8_t>("bytes");
  const size_t count = o.size("count", 0, 2147483646.0);
  auto table = o.array<int32_t>("table");
  if (table.length <= count || (table.length & (table.length - 1)) != 0)
    throw_range(info.Env(), "table: expected a power-of-two length above count (" + std::to_string(count) + "), got " +
                                std::to_string(table.length));
  return Napi::Number::New(info.Env(), static_cast<double>(build_id_table(bytes.data, bytes.length, count, table.data, table.length)));
}

}  // namespace

void InitIndex(Napi::Env env, Napi::Object exports) {
  exports.Set("galleryEncode", Napi::Function::New(env, [](const Napi::CallbackInfo& i) {
                auto job = parse_encode(i, nullptr);
                return RunNow(i.Env(), *job);
              }));
  exports.Set("galleryEncodeAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& i) {
                return Async<EncodeJob>(i, "facecore.galleryEncode", parse_encode);
              }));
  exports.Set("galleryDecode", Napi::Function::New(env, Decode));
  exports.Set("galleryIdTable", Napi::Function::New(env, IdTable));
  exports.Set("gallerySearchAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& i) {
                return Async<SearchJob>(i, "facecore.gallerySearch",
                                        [](const Napi::CallbackInfo& c, KeepAlive* k) { return parse_search(c, false, k); });
              }));
  exports.Set("gallerySearchLabelsAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& i) {
                return Async<SearchJob>(i, "facecore.gallerySearchLabels",
                                        [](const Napi::CallbackInfo& c, KeepAlive* k) { return parse_search(c, true, k); });
              }));
}

}  // namespace facecore::addon
