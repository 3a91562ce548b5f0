// Native micro-benchmark of warp_affine, one thread, outside Node: 112x112 crops of a real photo
// (raw RGB file, e.g. written by bench/warp.js) at face scales lo..hi (the face is s times larger
// in the source than in the crop: a ~112s x 112s footprint), rotation ±15°, border 0, bilinear.
// For each output kind: the median over single calls stepping through 64 distinct crops (what a
// pipeline sees) and the fastest of 50 runs of each crop (cache warm). Short calls dodge a shared
// machine's preemption; run it under `perf stat` for counts.
// Build (from the repository root):
//   R=native; F="-O3 -std=c++17 -fno-math-errno -DFACECORE_X86=1 -I$R/include"
//   g++ $F -c $R/src/warp_affine.cc $R/src/cpu_features.cc $R/src/parallel.cc
//   g++ $F -mavx2 -mfma -mf16c -c $R/src/warp_affine_avx2.cc
//   g++ $F -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -mavx2 -c $R/src/warp_affine_avx512.cc
//   g++ $F bench/native/warp_affine_bench.cc *.o -o /tmp/warp_bench -lpthread
// Run: /tmp/warp_bench avx512|avx2|scalar LO HI IMAGE.rgb WIDTH HEIGHT [u8|f32]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/warp_affine.h"
using namespace facecore;

static double time_us(const WarpImage& im, const double* inv, const WarpParams& p, void* out) {
  const auto t0 = std::chrono::steady_clock::now();
  warp_affine(im, inv, 1, p, out, 1);
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

int main(int argc, char** argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s ISA LO HI IMAGE.rgb WIDTH HEIGHT [u8|f32]\n", argv[0]);
    return 2;
  }
  const int S = 112, N = 64, W = atoi(argv[5]), H = atoi(argv[6]);
  const double lo = atof(argv[2]), hi = atof(argv[3]);
  std::vector<uint8_t> img(static_cast<size_t>(W) * H * 3);
  FILE* f = fopen(argv[4], "rb");
  if (!f || fread(img.data(), 1, img.size(), f) != img.size()) return fprintf(stderr, "cannot read %s\n", argv[4]), 2;
  fclose(f);
  WarpImage im{img.data(), img.size(), W, H, 3, static_cast<size_t>(W) * 3};
  std::vector<double> inv(6 * N);
  unsigned s = 1;
  auto rnd = [&] { s = s * 1103515245u + 12345u; return s / 4294967296.0; };
  for (int i = 0; i < N; ++i) {
    // inverse of OpenCV's M: a crop pixel steps sc source pixels, rotated by ang, centred at (cx, cy)
    const double ang = (rnd() - 0.5) * 0.52, sc = lo + rnd() * (hi - lo), a = cos(ang) * sc, b = -sin(ang) * sc;
    const double margin = 0.75 * S * sc, cx = margin + rnd() * (W - 2 * margin), cy = margin + rnd() * (H - 2 * margin);
    const double r[6] = {a, b, cx - a * 56 - b * 56, -b, a, cy + b * 56 - a * 56};
    std::copy(r, r + 6, inv.begin() + 6 * i);
  }
  Isa isa;
  parse_isa(argv[1], &isa);
  set_isa(isa);
  const char* only = argc > 7 ? argv[7] : "";
  for (int out = 0; out < 2; ++out) {
    if ((out == 0 && !strcmp(only, "f32")) || (out == 1 && !strcmp(only, "u8"))) continue;
    WarpParams p;
    p.out_width = p.out_height = S;
    p.output = out ? WarpOutput::kFloat32Nchw : WarpOutput::kUint8;
    std::vector<float> buf(3 * S * S);
    std::vector<double> times;
    for (int r = 0; r < 20 * N; ++r) times.push_back(time_us(im, inv.data() + 6 * (r % N), p, buf.data()));
    std::sort(times.begin(), times.end());
    double warm = 0;
    for (int i = 0; i < N; ++i) {
      double best = 1e9;
      for (int r = 0; r < 50; ++r) best = std::min(best, time_us(im, inv.data() + 6 * i, p, buf.data()));
      warm += best / N;
    }
    printf("%s %s face scale %.1f-%.1f: distinct median %.1f us/crop (p10 %.1f), warm %.1f us/crop\n", isa_name(isa),
           out ? "f32" : "u8", lo, hi, times[times.size() / 2], times[times.size() / 10], warm);
  }
}
