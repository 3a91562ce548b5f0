// Native micro-benchmark of index_topk (FaceIndex search) per storage, outside Node: N = 200k
// (or argv[2]) rows, d = 512, k = 10, cosine, Q = 1 (or argv[1]) query; fastest of 15 runs, on
// 1 and 2 threads, with the implied read bandwidth of the stored rows.
// Build (from the repository root, after `npm run test:native` built build-ctest/):
//   g++ -O2 -std=c++17 -Inative/include bench/native/gallery_search_bench.cc \
//       build-ctest/libfacecore_kernels.a -lpthread -o /tmp/gallery_search_bench
// Run: FACECORE_ISA=avx512 /tmp/gallery_search_bench [Q] [N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <sys/mman.h>

#include "facecore/gallery_search.h"
#include "facecore/quantize.h"
#include "facecore/topk.h"
using namespace facecore;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
// Huge pages where the kernel gives them (as FaceIndex's reserved stores ask for): with 4 KiB
// pages the TLB, not DRAM, caps a 2 GB scan. Set FACECORE_BENCH_4K=1 to compare.
template <class T>
struct HugeAlloc {
  using value_type = T;
  HugeAlloc() = default;
  template <class U>
  HugeAlloc(const HugeAlloc<U>&) {}
  T* allocate(size_t n) {
    void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!getenv("FACECORE_BENCH_4K")) madvise(p, n * sizeof(T), MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) { munmap(p, n * sizeof(T)); }
  bool operator==(const HugeAlloc&) const { return true; }
  bool operator!=(const HugeAlloc&) const { return false; }
};
template <class T>
using Rows = std::vector<T, HugeAlloc<T>>;

int main(int argc, char** argv) {
  const size_t Q = argc > 1 ? atoi(argv[1]) : 1, N = argc > 2 ? atoi(argv[2]) : 200000, d = 512, K = 10;
  std::mt19937 rng(1);
  std::normal_distribution<float> u(0, 1);
  Rows<float> g(N * d);
  std::vector<float> q(Q * d);
  for (auto& x : g) x = u(rng);
  for (auto& x : q) x = u(rng);
  Rows<uint16_t> h(N * d);
  f32_to_f16(g.data(), N * d, h.data());
  Rows<int8_t> c(N * d);
  std::vector<float> sc(N);
  quantize_i8(g.data(), N, d, c.data(), sc.data());
  std::vector<int32_t> idx(Q * K);
  std::vector<float> scores(Q * K);
  const char* names[] = {"f32", "f16", "i8"};
  const void* data[] = {g.data(), h.data(), c.data()};
  const size_t bytes[] = {4, 2, 1};
  for (int threads = 1; threads <= 2; ++threads) {  // the foundation's topK on the same float32 rows
    double best = 1e9;
    for (int r = 0; r < 15; ++r) {
      const double t = now();
      topk_search(q.data(), Q, g.data(), N, d, K, Metric::kCosine, idx.data(), scores.data(), threads);
      best = std::min(best, now() - t);
    }
    printf("topK f32 Q=%zu N=%zu threads=%d: %.2f ms  %.1f GB/s\n", Q, N, threads, best * 1e3, double(N * d * 4) / best / 1e9);
  }
  for (int s = 0; s < 3; ++s) {
    StoredRows rows;
    rows.storage = static_cast<Storage>(s);
    rows.data = data[s];
    rows.scales = sc.data();
    rows.n = N;
    rows.dim = d;
    for (int threads = 1; threads <= 2; ++threads) {
      double best = 1e9;
      for (int r = 0; r < 15; ++r) {
        const double t = now();
        index_topk(q.data(), Q, rows, K, Metric::kCosine, idx.data(), scores.data(), threads);
        best = std::min(best, now() - t);
      }
      printf("%s Q=%zu N=%zu threads=%d: %.2f ms  %.1f GB/s\n", names[s], Q, N, threads, best * 1e3,
             double(N * d * bytes[s]) / best / 1e9);
    }
  }
}
