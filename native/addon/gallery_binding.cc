// Bindings for FaceIndex storage: encode (normalise + quantise) rows, decode them, and
// search them (faces or identities) on a libuv worker. The TypeScript layer validates and
// allocates; this file re-checks every size before a kernel touches memory.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "promise_worker.h"
#include "bindings.h"
#include "facecore/id_table.h"
#include "facecore/gallery_search.h"
#include "facecore/quantize.h"
#include "facecore/similarity.h"
#include "non_finite.h"

namespace facecore::addon {
namespace {

constexpr double kMaxDim = 65536;

Storage storage_arg(const Napi::Value& v) { return static_cast<Storage>(size_arg(v, "storage", 0, 2)); }
Metric metric_arg(const Napi::Value& v) { return size_arg(v, "metric", 0, 1) == 0 ? Metric::kDot : Metric::kCosine; }

size_t element_bytes(Storage s) { return s == Storage::kF32 ? 4 : s == Storage::kF16 ? 2 : 1; }
napi_typedarray_type storage_array(Storage s) {
  return s == Storage::kF32 ? napi_float32_array : s == Storage::kF16 ? napi_uint16_array : napi_int8_array;
}

// The stored rows' typed array (Float32Array / Uint16Array / Int8Array by storage), holding >= rows x dim.
const void* stored_data(const Napi::Value& v, Storage s, size_t rows, size_t dim, const char* name) {
  const char* want = typed_array_name(storage_array(s));
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != storage_array(s))
    throw_type(v.Env(), std::string(name) + ": expected a " + want + ", got " + describe(v));
  auto arr = v.As<Napi::TypedArray>();
  if (arr.ElementLength() < rows * dim)
    throw_range(v.Env(), std::string(name) + ": expected at least " + std::to_string(rows * dim) + " elements, got " +
                             std::to_string(arr.ElementLength()));
  return static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
}

const float* scales_arg(const Napi::Value& v, Storage s, size_t rows) {
  auto sc = typed_array<float>(v, "scales");
  if (s == Storage::kI8 && sc.length < rows)
    throw_range(v.Env(), "scales: expected at least " + std::to_string(rows) + " elements, got " + std::to_string(sc.length));
  return sc.data;
}

// indexEncode(vectors, dim, storage, normalize, outData, outScales): rows -> stored form.
Napi::Value Encode(const Napi::CallbackInfo& info) {
  expect_args(info, 6, "indexEncode");
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info[0], "vectors");
  const size_t dim = size_arg(info[1], "dim", 1, kMaxDim);
  if (x.length % dim != 0) throw_range(env, "vectors: expected a length that is a multiple of dim (" + std::to_string(dim) + "), got " + std::to_string(x.length));
  const size_t n = x.length / dim;
  const Storage storage = storage_arg(info[2]);
  const bool normalize = info[3].ToBoolean();
  void* out = const_cast<void*>(stored_data(info[4], storage, n, dim, "outData"));
  float* scales = const_cast<float*>(scales_arg(info[5], storage, n));

  // A few hundred rows at a time through a small buffer: normalising all n rows into one
  // n x dim scratch cost more in fresh-page faults than the encoding itself.
  constexpr size_t kChunkRows = 256;
  std::vector<float> unit(normalize ? std::min(n, kChunkRows) * dim : 0), inv(std::min(n, kChunkRows));
  for (size_t r0 = 0; r0 < n; r0 += kChunkRows) {
    const size_t rn = std::min(kChunkRows, n - r0);
    const float* rows = x.data + r0 * dim;
    if (normalize) {
      detail::inverse_norms(rows, rn, dim, inv.data());
      for (size_t i = 0; i < rn; ++i)
        for (size_t k = 0; k < dim; ++k) unit[i * dim + k] = rows[i * dim + k] * inv[i];
      rows = unit.data();
    }
    bool finite = true;
    for (size_t i = 0; i < rn * dim; ++i) finite &= std::isfinite(rows[i]);
    if (!finite) throw_range(env, non_finite_message({{"vectors", x.data, x.length}}, dim));
    switch (storage) {
      case Storage::kF32: std::copy(rows, rows + rn * dim, static_cast<float*>(out) + r0 * dim); break;
      case Storage::kF16: f32_to_f16(rows, rn * dim, static_cast<uint16_t*>(out) + r0 * dim); break;
      case Storage::kI8: quantize_i8(rows, rn, dim, static_cast<int8_t*>(out) + r0 * dim, scales + r0); break;
    }
  }
  return env.Undefined();
}

// indexDecode(data, scales, storage, dim, row, rows, out): stored rows [row, row + rows) -> float32.
Napi::Value Decode(const Napi::CallbackInfo& info) {
  expect_args(info, 7, "indexDecode");
  const Storage storage = storage_arg(info[2]);
  const size_t dim = size_arg(info[3], "dim", 1, kMaxDim);
  const size_t row = size_arg(info[4], "row", 0, 2147483647.0), rows = size_arg(info[5], "rows", 0, 2147483647.0);
  const auto* data = static_cast<const uint8_t*>(stored_data(info[0], storage, row + rows, dim, "data"));
  const float* scales = scales_arg(info[1], storage, row + rows);
  auto out = typed_array<float>(info[6], "out");
  if (out.length < rows * dim) throw_range(info.Env(), "out: expected at least " + std::to_string(rows * dim) + " elements, got " + std::to_string(out.length));
  const size_t offset = row * dim * element_bytes(storage);
  switch (storage) {
    case Storage::kF32: std::copy_n(reinterpret_cast<const float*>(data + offset), rows * dim, out.data); break;
    case Storage::kF16: f16_to_f32(reinterpret_cast<const uint16_t*>(data + offset), rows * dim, out.data); break;
    case Storage::kI8: dequantize_i8(reinterpret_cast<const int8_t*>(data + offset), scales + row, rows, dim, out.data); break;
  }
  return info.Env().Undefined();
}

struct SearchJob {
  bool by_label = false;
  ArrayView<float> queries;
  size_t nq = 0, k = 0, n_labels = 0;
  StoredRows rows;
  Metric metric = Metric::kCosine;
  Aggregate aggregate = Aggregate::kMax;
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
                                         out_scores, threads)
                      : index_topk(queries.data, nq, rows, k, metric, out_index, out_scores, threads);
  }
};

// indexSearchAsync(queries, dim, metric, storage, data, scales, n, mask, k, outIndex, outScores, threads)
// indexSearchLabelsAsync(queries, dim, metric, storage, data, scales, n, mask, labels, nLabels, aggregate, k,
//                        outLabels, outScores, threads)
std::unique_ptr<SearchJob> parse(const Napi::CallbackInfo& info, bool by_label, KeepAlive* keep) {
  Napi::Env env = info.Env();
  expect_args(info, by_label ? 15 : 12, by_label ? "indexSearchLabels" : "indexSearch");
  auto job = std::make_unique<SearchJob>();
  job->by_label = by_label;
  job->queries = typed_array<float>(info[0], "queries");
  const size_t dim = size_arg(info[1], "dim", 1, kMaxDim);
  if (job->queries.length % dim != 0) throw_range(env, "queries: expected a length that is a multiple of dim (" + std::to_string(dim) + "), got " + std::to_string(job->queries.length));
  job->nq = job->queries.length / dim;
  job->metric = metric_arg(info[2]);
  StoredRows& r = job->rows;
  r.storage = storage_arg(info[3]);
  r.dim = dim;
  r.n = size_arg(info[6], "n", 0, 2147483647.0);
  r.data = stored_data(info[4], r.storage, r.n, dim, "data");
  r.scales = scales_arg(info[5], r.storage, r.n);
  if (!info[7].IsNull()) {
    auto mask = typed_array<uint8_t>(info[7], "mask");
    if (mask.length < r.n) throw_range(env, "mask: expected at least " + std::to_string(r.n) + " elements, got " + std::to_string(mask.length));
    r.mask = mask.data;
  }
  size_t next = 8;
  if (by_label) {
    auto labels = typed_array<int32_t>(info[next++], "labels");
    job->n_labels = size_arg(info[next++], "nLabels", 0, 2147483647.0);
    if (labels.length < r.n) throw_range(env, "labels: expected at least " + std::to_string(r.n) + " elements, got " + std::to_string(labels.length));
    for (size_t i = 0; i < r.n; ++i)
      if (labels.data[i] < 0 || static_cast<size_t>(labels.data[i]) >= job->n_labels)
        throw_range(env, "labels: expected values in [0, " + std::to_string(job->n_labels) + "), got " + std::to_string(labels.data[i]) + " at index " + std::to_string(i));
    job->labels = labels.data;
    job->aggregate = size_arg(info[next++], "aggregate", 0, 1) == 0 ? Aggregate::kMax : Aggregate::kMean;
  }
  job->k = size_arg(info[next++], "k", 1, 2147483647.0);
  const size_t kk = std::min(job->k, by_label ? job->n_labels : r.n);
  auto out_index = typed_array<int32_t>(info[next++], "outIndex");
  auto out_scores = typed_array<float>(info[next++], "outScores");
  if (out_index.length < job->nq * kk || out_scores.length < job->nq * kk)
    throw_range(env, "out: expected outIndex and outScores of at least " + std::to_string(job->nq * kk) + " elements, got " + std::to_string(out_index.length) + " and " + std::to_string(out_scores.length));
  job->out_index = out_index.data;
  job->out_scores = out_scores.data;
  job->threads = static_cast<int>(size_arg(info[next++], "threads", 1, 1024));
  keep->hold_objects(info);
  return job;
}

Napi::Value SearchAsync(const Napi::CallbackInfo& info, bool by_label) {
  auto keep = std::make_unique<KeepAlive>();
  auto job = parse(info, by_label, keep.get());
  return PromiseWorker<SearchJob>::Start(info.Env(), "facecore.indexSearch", std::move(job), std::move(keep));
}

// indexIdTable(bytes, count, table) -> count, the index of the first repeated id, or -1 if
// bytes is not `count` NUL-terminated ids. table: zeroed Int32Array, power-of-two length.
Napi::Value IdTable(const Napi::CallbackInfo& info) {
  expect_args(info, 3, "indexIdTable");
  auto bytes = typed_array<uint8_t>(info[0], "bytes");
  const size_t count = size_arg(info[1], "count", 0, 2147483646.0);
  auto table = typed_array<int32_t>(info[2], "table");
  if (table.length <= count || (table.length & (table.length - 1)) != 0)
    throw_range(info.Env(), "table: expected a power-of-two length above count (" + std::to_string(count) + "), got " + std::to_string(table.length));
  return Napi::Number::New(info.Env(), static_cast<double>(build_id_table(bytes.data, bytes.length, count, table.data, table.length)));
}

}  // namespace

void InitIndex(Napi::Env env, Napi::Object exports) {
  exports.Set("indexEncode", Napi::Function::New(env, Encode));
  exports.Set("indexDecode", Napi::Function::New(env, Decode));
  exports.Set("indexIdTable", Napi::Function::New(env, IdTable));
  exports.Set("indexSearchAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return SearchAsync(i, false); }));
  exports.Set("indexSearchLabelsAsync",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return SearchAsync(i, true); }));
}

}  // namespace facecore::addon
