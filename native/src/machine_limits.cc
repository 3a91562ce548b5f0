#include "facecore/machine_limits.h"

#include <atomic>
#include <chrono>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/parallel.h"

namespace facecore {
namespace {

using Clock = std::chrono::steady_clock;

float sum_stream_scalar(const float* data, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += data[i + j];
  for (; i < n; ++i) acc[0] += data[i];
  float s = 0;
  for (float a : acc) s += a;
  return s;
}

double fma_loop_scalar(long iters, float* sink) {
  float a[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const float x = 0.999999f, y = 1e-7f;
  for (long i = 0; i < iters; ++i)
    for (float& v : a) v = v * x + y;
  float s = 0;
  for (float v : a) s += v;
  *sink = s;
  return 2.0 * 8 * static_cast<double>(iters);
}

}  // namespace

double measure_read_bandwidth(const float* data, size_t n, int threads) {
  if (n == 0) return 0;
  std::vector<float> sinks(threads > 0 ? threads : 1);
  const Isa isa = active_isa();
  const auto start = Clock::now();
  parallel_for(threads, threads, [&](int t) {
    size_t b, e;
    split_range(n, threads, t, &b, &e);
#if defined(FACECORE_X86)
    if (isa == Isa::kAvx512) sinks[t] = detail::sum_stream_avx512(data + b, e - b);
    else if (isa == Isa::kAvx2) sinks[t] = detail::sum_stream_avx2(data + b, e - b);
    else
#endif
      sinks[t] = sum_stream_scalar(data + b, e - b);
  });
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  volatile float keep = sinks[0];
  (void)keep;
  return static_cast<double>(n) * sizeof(float) / secs;
}

double measure_fma_peak(int threads, double seconds) {
  const Isa isa = active_isa();
  auto loop = [isa](long iters, float* sink) {
#if defined(FACECORE_X86)
    if (isa == Isa::kAvx512) return detail::fma_loop_avx512(iters, sink);
    if (isa == Isa::kAvx2) return detail::fma_loop_avx2(iters, sink);
#endif
    return fma_loop_scalar(iters, sink);
  };
  // Calibrate the iteration count on one thread, then run every thread for ~seconds.
  float sink = 0;
  long iters = 1 << 16;
  for (;;) {
    const auto t0 = Clock::now();
    loop(iters, &sink);
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (dt > 0.05) {
      iters = static_cast<long>(iters * (seconds / dt));
      break;
    }
    iters *= 4;
  }
  std::vector<double> flops(threads);
  std::vector<float> sinks(threads);
  const auto start = Clock::now();
  parallel_for(threads, threads, [&](int t) { flops[t] = loop(iters, &sinks[t]); });
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  double total = 0;
  for (double f : flops) total += f;
  return total / secs;
}

}  // namespace facecore
