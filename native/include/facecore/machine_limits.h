// Probes of this machine's limits, for benchmarks to relate kernels to: streaming read
// bandwidth and peak float32 FMA throughput, with the widest ISA available.
#pragma once

#include <cstddef>

namespace facecore {

// Reads n floats once with `threads` threads; returns bytes per second.
double measure_read_bandwidth(const float* data, size_t n, int threads);

// Runs independent FMA chains on `threads` threads for about `seconds`; returns FLOP/s
// (an FMA counts as 2 FLOPs).
double measure_fma_peak(int threads, double seconds);

namespace detail {
float sum_stream_avx512(const float* data, size_t n);
float sum_stream_avx2(const float* data, size_t n);
// Runs `iters` rounds of a fixed set of chained FMAs; returns FLOPs done (and a value
// that depends on every chain, so nothing is optimised away, in *sink).
double fma_loop_avx512(long iters, float* sink);
double fma_loop_avx2(long iters, float* sink);
}  // namespace detail
}  // namespace facecore
