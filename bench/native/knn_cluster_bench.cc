// Planted-clusters clustering outside Node, for machines without Node (the lent accelerator
// host): the exact k-NN graph (int8 and float32, k = 20, floor = the threshold) and its
// components, DBSCAN's rule at min_samples 2 (a row with a neighbour at or above the threshold
// is core; isolated rows are noise, each its own cluster). bench/native/dbscan_peer.py runs
// scikit-learn's DBSCAN on the same rows; knn_cluster_bench.sh interleaves the two.
// The rows follow bench/people.js planted() (sizes 1..40, skewed; a face is its identity's
// centre plus noise of the same length, unit-normalised), from its own seed.
// Build (from the repository root, after a CMake build of the kernels in build-ctest/):
//   g++ -O2 -std=c++17 -Inative/include bench/native/knn_cluster_bench.cc \
//       build-ctest/libfacecore_kernels.a -lpthread -o /tmp/knn_cluster_bench
// Run: /tmp/knn_cluster_bench write N DIR          rows to DIR/x.f32, identities to DIR/truth.i32
//      /tmp/knn_cluster_bench run DIR THREADS       one timed round per storage; prints a line each
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "facecore/knn_graph.h"

using namespace facecore;

namespace {

constexpr size_t kDim = 512, kK = 20;
constexpr float kThreshold = 0.3f;

struct Lcg {
  uint32_t s;
  double uniform() { return ((s = s * 1664525u + 1013904223u) + 0.5) / 4294967296.0; }
  double gauss() {
    const double a = std::sqrt(-2 * std::log(uniform()));
    return a * std::cos(2 * M_PI * uniform());
  }
};

void planted(size_t n, std::vector<float>* x, std::vector<int32_t>* truth) {
  Lcg rng{1};
  x->assign(n * kDim, 0);
  truth->assign(n, 0);
  std::vector<double> centre(kDim);
  for (size_t i = 0, left = 0; i < n; ++i) {
    if (left == 0) {
      if (i > 0) (*truth)[i] = (*truth)[i - 1] + 1;
      const double u = rng.uniform();
      left = 1 + static_cast<size_t>(40 * u * u);
      double norm = 0;
      for (auto& c : centre) norm += (c = rng.gauss()) * c;
      for (auto& c : centre) c /= std::sqrt(norm);
    } else {
      (*truth)[i] = (*truth)[i - 1];
    }
    --left;
    float* row = x->data() + i * kDim;
    double norm = 0;
    for (size_t c = 0; c < kDim; ++c) {
      const double v = centre[c] + rng.gauss() / std::sqrt(static_cast<double>(kDim));
      row[c] = static_cast<float>(v);
      norm += v * v;
    }
    for (size_t c = 0; c < kDim; ++c) row[c] = static_cast<float>(row[c] / std::sqrt(norm));
  }
}

template <class T>
std::vector<T> read_all(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) { std::perror(path.c_str()); std::exit(2); }
  std::fseek(f, 0, SEEK_END);
  const long bytes = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  std::vector<T> out(bytes / sizeof(T));
  if (std::fread(out.data(), sizeof(T), out.size(), f) != out.size()) std::exit(2);
  std::fclose(f);
  return out;
}

template <class T>
void write_all(const std::string& path, const std::vector<T>& v) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(v.data(), sizeof(T), v.size(), f) != v.size()) { std::perror(path.c_str()); std::exit(2); }
  std::fclose(f);
}

int32_t find(std::vector<int32_t>& parent, int32_t a) {
  while (parent[a] != a) a = parent[a] = parent[parent[a]];
  return a;
}

// Components over the graph's edges (every listed neighbour is at or above the threshold); a row
// with no neighbour is noise (-1).
std::vector<int32_t> components(const std::vector<int32_t>& idx, size_t n, size_t k) {
  std::vector<int32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<bool> core(n, false);
  for (size_t i = 0; i < n; ++i) {
    for (size_t r = 0; r < k; ++r) {
      const int32_t j = idx[i * k + r];
      if (j < 0) break;
      core[i] = core[j] = true;
      parent[find(parent, static_cast<int32_t>(i))] = find(parent, j);
    }
  }
  std::vector<int32_t> labels(n);
  for (size_t i = 0; i < n; ++i) labels[i] = core[i] ? find(parent, static_cast<int32_t>(i)) : -1;
  return labels;
}

// BCubed F against the truth; a noise row (-1) is a cluster of its own.
double bcubed_f(const std::vector<int32_t>& truth, const std::vector<int32_t>& labels) {
  const size_t n = truth.size();
  std::map<int64_t, size_t> cluster, identity, both;
  auto key = [&](size_t i) { return labels[i] < 0 ? -1 - static_cast<int64_t>(i) : static_cast<int64_t>(labels[i]); };
  for (size_t i = 0; i < n; ++i) {
    ++cluster[key(i)];
    ++identity[truth[i]];
    ++both[key(i) * 1000003 + truth[i]];
  }
  double p = 0, r = 0;
  for (size_t i = 0; i < n; ++i) {
    const double shared = static_cast<double>(both[key(i) * 1000003 + truth[i]]);
    p += shared / cluster[key(i)];
    r += shared / identity[truth[i]];
  }
  p /= n;
  r /= n;
  return 2 * p * r / (p + r);
}

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "write") == 0) {
    std::vector<float> x;
    std::vector<int32_t> truth;
    planted(std::strtoul(argv[2], nullptr, 10), &x, &truth);
    write_all(std::string(argv[3]) + "/x.f32", x);
    write_all(std::string(argv[3]) + "/truth.i32", truth);
    std::printf("wrote %zu rows, %d identities\n", truth.size(), truth.back() + 1);
    return 0;
  }
  if (argc != 4 || std::strcmp(argv[1], "run") != 0) {
    std::fprintf(stderr, "usage: %s write N DIR | run DIR THREADS\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[2];
  const int threads = std::atoi(argv[3]);
  const auto x = read_all<float>(dir + "/x.f32");
  const auto truth = read_all<int32_t>(dir + "/truth.i32");
  const size_t n = truth.size();
  std::vector<int32_t> idx(n * kK);
  std::vector<float> scores(n * kK);
  for (const char* storage : {"i8", "f32"}) {
    const double t0 = seconds();
    const KnnStatus status = std::strcmp(storage, "i8") == 0
        ? knn_graph_i8(x.data(), n, kDim, kK, Metric::kCosine, kThreshold, idx.data(), scores.data(), threads)
        : knn_graph(StoredRows{Storage::kF32, x.data(), nullptr, n, kDim, nullptr}, kK, Metric::kCosine, kThreshold, idx.data(), scores.data(), threads);
    const double t1 = seconds();
    const auto labels = components(idx, n, kK);
    const double t2 = seconds();
    if (status != KnnStatus::kOk) return 3;
    std::printf("facecore core (graph + components), %s: %.3f s (graph %.3f s), BCubed F %.4f\n", storage, t2 - t0, t1 - t0, bcubed_f(truth, labels));
  }
  return 0;
}
