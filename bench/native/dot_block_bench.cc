// Native micro-benchmark of the float32 dot block through its two users, one thread, outside
// Node: topk_search (Q queries, N = 200k, d = 512, k = 10, dot) and similarity_matrix
// 1000x1000 d = 512 (dot and cosine). Fastest of 10 runs each; GFLOP/s counts 2*Q*N*d.
// Build (from the repository root, after `npm run test:native` built build-ctest/):
//   g++ -O2 -std=c++17 -Inative/include bench/native/dot_block_bench.cc \
//       build-ctest/libfacecore_kernels.a -lpthread -o /tmp/dot_block_bench
// Run: FACECORE_ISA=avx512 /tmp/dot_block_bench topk [Q] [N] [d] [k] [threads]   |   /tmp/dot_block_bench sim [d] [threads]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
#include "facecore/similarity.h"
#include "facecore/topk.h"
using namespace facecore;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "topk";
  std::mt19937 rng(1); std::uniform_real_distribution<float> u(-1, 1);
  if (std::string(mode) == "topk") {
    size_t Q = argc > 2 ? atoi(argv[2]) : 100, N = argc > 3 ? atoi(argv[3]) : 200000, d = argc > 4 ? atoi(argv[4]) : 512,
           K = argc > 5 ? atoi(argv[5]) : 10;
    const int threads = argc > 6 ? atoi(argv[6]) : 1;
    std::vector<float> q(Q * d), g(N * d); for (auto& x : q) x = u(rng); for (auto& x : g) x = u(rng);
    std::vector<int32_t> idx(Q * K); std::vector<float> sc(Q * K);
    double best = 1e9;
    for (int r = 0; r < 10; ++r) { double t = now(); topk_search(q.data(), Q, g.data(), N, d, K, Metric::kDot, idx.data(), sc.data(), threads); best = std::min(best, now() - t); }
    printf("topk Q=%zu N=%zu d=%zu k=%zu threads=%d: %.2f ms  %.1f GFLOP/s\n", Q, N, d, K, threads, best * 1e3, 2.0 * Q * N * d / best / 1e9);
  } else {
    size_t n = 1000, d = argc > 2 ? atoi(argv[2]) : 512;
    const int threads = argc > 3 ? atoi(argv[3]) : 1;
    std::vector<float> a(n * d), b(n * d), out(n * n); for (auto& x : a) x = u(rng); for (auto& x : b) x = u(rng);
    for (int m = 0; m < 2; ++m) { double best = 1e9;
      for (int r = 0; r < 10; ++r) { double t = now(); similarity_matrix(a.data(), n, b.data(), n, d, m ? Metric::kCosine : Metric::kDot, out.data(), threads); best = std::min(best, now() - t); }
      printf("similarity %s 1000x1000 d=%zu threads=%d: %.2f ms  %.1f GFLOP/s\n", m ? "cosine" : "dot", d, threads, best * 1e3, 2.0 * n * n * d / best / 1e9); }
  }
}
