// Binding for ivfScanAsync (src/cluster/ivf-graph.ts): the index arrays are checked and copied
// here, so a JS write to them during the scan cannot steer the kernel outside its buffers.
// `control` (Int32Array(2)): [0] the abort flag JS sets, [1] the cells done.
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "facecore/ivf_scan.h"
#include "promise_worker.h"

namespace facecore::addon {
namespace {

struct IvfJob {
  IvfCells cells;
  std::vector<int32_t> members, member_start, askers, probe_start;
  size_t cell_from = 0, cell_to = 0, k = 0;
  float min_score = 0;
  int32_t* out_indices = nullptr;
  float* out_scores = nullptr;
  int32_t* control = nullptr;
  int threads = 1;
  Status status = Status::kOk;

  void run() {
    static_assert(sizeof(std::atomic<int32_t>) == sizeof(int32_t) && std::atomic<int32_t>::is_always_lock_free);
    status = ivf_scan(cells, cell_from, cell_to, k, min_score, out_indices, out_scores, threads,
                      reinterpret_cast<const std::atomic<int32_t>*>(control),
                      reinterpret_cast<std::atomic<int32_t>*>(control + 1));
  }
  std::string failure() const {
    return status == Status::kNonFinite ? "rows: expected finite values, got NaN or Infinity" : std::string();
  }
};

std::vector<int32_t> copy_of(const ArrayView<int32_t>& a) { return std::vector<int32_t>(a.data, a.data + a.length); }

// Every value in [lo, hi].
void check_range(Napi::Env env, const std::vector<int32_t>& v, int64_t lo, int64_t hi, const char* name) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < lo || v[i] > hi)
      throw_range(env, std::string(name) + ": expected values in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                           "], got " + std::to_string(v[i]) + " at " + std::to_string(i));
}

// Offsets: non-decreasing, within [0, end].
void check_starts(Napi::Env env, const std::vector<int32_t>& v, int64_t end, const char* name) {
  check_range(env, v, 0, end, name);
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i] < v[i - 1])
      throw_range(env, std::string(name) + ": expected non-decreasing offsets, got " + std::to_string(v[i - 1]) +
                           " then " + std::to_string(v[i]) + " at " + std::to_string(i));
}

// ivfScanAsync({ rows, metric (0 dot, 1 cosine), members, memberStart, askers, probeStart, n, dim, k, minScore, threads,
//                cellFrom, cellTo, outIndices, outScores, control })
Napi::Value IvfScanAsync(const Napi::CallbackInfo& info) {
  const Options o(info, "ivfScanAsync");
  Napi::Env env = o.env();
  auto job = std::make_unique<IvfJob>();
  IvfCells& c = job->cells;
  c.n = o.size("n", 0, 2147483647.0);
  c.dim = o.size("dim", 1, 65536);
  c.rows = o.array<float>("rows", c.n * c.dim).data;
  c.metric = o.size("metric", 0, 1) == 0 ? Metric::kDot : Metric::kCosine;
  job->members = copy_of(o.array<int32_t>("members", c.n));
  job->members.resize(c.n);
  check_range(env, job->members, 0, static_cast<int64_t>(c.n) - 1, "members");
  job->member_start = copy_of(o.array<int32_t>("memberStart"));
  job->probe_start = copy_of(o.array<int32_t>("probeStart"));
  if (job->member_start.empty() || job->probe_start.size() != job->member_start.size())
    throw_range(env, "memberStart, probeStart: expected cells + 1 >= 1 offsets each, got " +
                         std::to_string(job->member_start.size()) + " and " + std::to_string(job->probe_start.size()));
  const size_t cells = job->member_start.size() - 1;
  check_starts(env, job->member_start, static_cast<int64_t>(c.n), "memberStart");
  job->askers = copy_of(o.array<int32_t>("askers"));
  check_starts(env, job->probe_start, static_cast<int64_t>(job->askers.size()), "probeStart");
  check_range(env, job->askers, 0, static_cast<int64_t>(c.n) - 1, "askers");
  job->cell_from = o.size("cellFrom", 0, static_cast<double>(cells));
  job->cell_to = o.size("cellTo", static_cast<double>(job->cell_from), static_cast<double>(cells));
  job->k = o.size("k", 1, 1 << 20);
  job->min_score = o.floor_or("minScore", -INFINITY);
  job->threads = static_cast<int>(o.size("threads", 1, 1024));
  const size_t slots = static_cast<size_t>(job->probe_start[job->cell_to] - job->probe_start[job->cell_from]);
  job->out_indices = o.array<int32_t>("outIndices", slots * job->k).data;
  job->out_scores = o.array<float>("outScores", slots * job->k).data;
  job->control = o.array<int32_t>("control", 2).data;
  c.members = job->members.data();
  c.member_start = job->member_start.data();
  c.askers = job->askers.data();
  c.probe_start = job->probe_start.data();
  auto keep = std::make_unique<KeepAlive>();
  o.keep(keep.get());
  return PromiseWorker<IvfJob>::Start(env, "facecore.ivfScan", std::move(job), std::move(keep));
}

}  // namespace

void InitIvf(Napi::Env env, Napi::Object exports) { exports.Set("ivfScanAsync", Napi::Function::New(env, IvfScanAsync)); }

}  // namespace facecore::addon
