// Native micro-benchmark of warp_affine, one thread, outside Node: 112x112 RGB crops from a
// 1920x1280 image, rotation ±15°, crop scale in [lo, hi]. Reports the fastest of 300 runs of each
// crop (cache warm) and the median over single calls that step through 64 distinct crops (what a
// pipeline sees), then the 64-crop batch. Short calls dodge a shared machine's preemption.
// Build (from the repository root):
//   R=native; F="-O3 -std=c++17 -fno-math-errno -DFACECORE_X86=1 -I$R/include"
//   g++ $F -c $R/src/warp_affine.cc $R/src/cpu_features.cc $R/src/parallel.cc
//   g++ $F -mavx2 -mfma -mf16c -c $R/src/warp_affine_avx2.cc
//   g++ $F -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -mavx2 -c $R/src/warp_affine_avx512.cc
//   g++ $F bench/native/warp_affine_bench.cc *.o -o /tmp/warp_bench -lpthread
// Run: /tmp/warp_bench avx512|avx2|scalar [lo hi]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include "facecore/cpu_features.h"
#include "facecore/warp_affine.h"
using namespace facecore;
int main(int argc, char** argv) {
  const int W = 1920, H = 1280, S = 112, N = 64;
  std::vector<uint8_t> img(W * H * 3);
  for (size_t i = 0; i < img.size(); ++i) img[i] = (i * 2654435761u) >> 24;
  WarpImage im{img.data(), img.size(), W, H, 3, (size_t)W * 3};
  double lo = argc > 2 ? atof(argv[2]) : 0.9, hi = argc > 3 ? atof(argv[3]) : 1.1;
  std::vector<double> inv(6 * N);
  unsigned s = 1; auto rnd = [&] { s = s * 1103515245u + 12345u; return s / 4294967296.0; };
  for (int i = 0; i < N; ++i) {
    double ang = (rnd() - 0.5) * 0.52, sc = lo + rnd() * (hi - lo), a = cos(ang) * sc, b = -sin(ang) * sc;
    double cx = 200 + rnd() * (W - 400), cy = 200 + rnd() * (H - 400);
    double m[6] = {a, b, 56 - (a * cx + b * cy), -b, a, 56 - (-b * cx + a * cy)};
    double det = m[0] * m[4] - m[1] * m[3], ia = m[4] / det, ib = -m[1] / det, id = -m[3] / det, ie = m[0] / det;
    double r[6] = {ia, ib, -(ia * m[2] + ib * m[5]), id, ie, -(id * m[2] + ie * m[5])};
    for (int k = 0; k < 6; ++k) inv[6 * i + k] = r[k];
  }
  Isa isa; parse_isa(argc > 1 ? argv[1] : "avx512", &isa); set_isa(isa);
  for (int out = 0; out < 2; ++out) {
    WarpParams p; p.out_width = p.out_height = S; p.output = out ? WarpOutput::kFloat32Nchw : WarpOutput::kUint8;
    std::vector<float> buf(3 * S * S);
    double total = 0;
    for (int i = 0; i < N; ++i) {
      double best = 1e9;
      for (int r = 0; r < 300; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        warp_affine(im, inv.data() + 6 * i, 1, p, buf.data(), 1);
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        if (us < best) best = us;
      }
      total += best;
    }
    std::vector<float> big(64 * 3 * S * S);
    double bbest = 1e9;
    for (int r = 0; r < 20; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      warp_affine(im, inv.data(), N, p, big.data(), 1);
      double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      if (us < bbest) bbest = us;
    }
    std::vector<double> times;
    for (int r = 0; r < 640; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      warp_affine(im, inv.data() + 6 * (r % N), 1, p, buf.data(), 1);
      times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    printf("  cycling single crops, 1 thread: median %.2f us/crop, p10 %.2f\n", times[320], times[64]);
    printf("  batch of %d distinct crops, 1 thread: %.2f us/crop\n", N, bbest / N);
    printf("%s %s scale %.2f-%.2f: %.2f us/crop (%.2f ns/px)\n", isa_name(isa), out ? "f32" : "u8", lo, hi, total / N, total / N * 1000 / (S * S));
  }
}
