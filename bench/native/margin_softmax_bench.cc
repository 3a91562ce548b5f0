// Native check of margin_softmax's cost against the products it needs, one thread, outside Node,
// in CPU time (getrusage: on a shared machine, time spent waiting for a core is not counted):
// fwd+bwd with the products kept between passes ("cache") or recomputed ("nocache"), and
// margin_gemms_probe with 3 and 4 products; calls interleaved, minimum of `reps` each.
// Build (from the repository root, after cmake --build build-ctest):
//   g++ -O2 -std=c++17 -Inative/include bench/native/margin_softmax_bench.cc build-ctest/libfacecore_kernels.a \
//     -o /tmp/margin_bench -lpthread
// Run: /tmp/margin_bench C REPS cache|nocache [K]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "facecore/margin_softmax.h"
using namespace facecore;

static double cpu_ms() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char** argv) {
  if (argc < 4) return fprintf(stderr, "usage: %s C REPS cache|nocache [K]\n", argv[0]), 2;
  const size_t B = 256, d = 512, C = atoi(argv[1]), K = argc > 4 ? atoi(argv[4]) : 1;
  const int reps = atoi(argv[2]);
  std::vector<float> x(B * d), w(C * K * d), gx(B * d), gw(C * K * d);
  unsigned s = 1;
  for (auto* v : {&x, &w})
    for (auto& e : *v) e = ((s = s * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
  std::vector<int32_t> labels(B);
  for (size_t i = 0; i < B; ++i) labels[i] = static_cast<int32_t>((i * 7919) % C);
  const MarginProblem pr{x.data(), B, d, w.data(), C, K, labels.data(), nullptr, 0};
  if (!strcmp(argv[3], "nocache")) detail::margin_cache_bytes() = 0;
  std::vector<double> t[3];
  for (int r = 0; r < reps; ++r)
    for (int k = 0; k < 3; ++k) {
      const double c0 = cpu_ms();
      if (k == 0) {
        MarginResult res;
        margin_softmax(pr, {64, 1, 0.5, 0}, gx.data(), gw.data(), &res, 1);
      } else {
        margin_gemms_probe(x.data(), B, w.data(), C, K, d, k == 2, gx.data(), gw.data(), 1);
      }
      t[k].push_back(cpu_ms() - c0);
    }
  for (auto& v : t) std::sort(v.begin(), v.end());
  printf("C %zu K %zu %s: fwd+bwd %.1f, 3 products %.1f, 4 products %.1f ms CPU (min); x3 %.2f, x4 %.2f\n", C, K,
         argv[3], t[0][0], t[1][0], t[2][0], t[0][0] / t[1][0], t[0][0] / t[2][0]);
}
