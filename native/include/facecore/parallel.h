// A small process-wide thread pool shared by every kernel family.
// Calls may come from several threads at once (libuv workers running AsyncWorkers):
// each call is its own job, and the calling thread works on its job too, so nested or
// concurrent calls never deadlock waiting for a busy pool.
#pragma once

#include <cstddef>
#include <functional>

namespace facecore {

// Threads a kernel uses by default: FACECORE_THREADS when set, else the cores this process
// may run on (its CPU affinity).
int default_threads();

// Runs task(i) for every i in [0, tasks), spread over at most `threads` threads
// (the caller included). Returns when all are done. The first exception thrown by a
// task is rethrown here after the others finish.
void parallel_for(int tasks, int threads, const std::function<void(int)>& task);

// Splits [0, n) into `parts` contiguous ranges of near-equal size; range i is [begin, end).
inline void split_range(size_t n, int parts, int i, size_t* begin, size_t* end) {
  const size_t base = n / parts, extra = n % parts, ui = static_cast<size_t>(i);
  *begin = ui * base + (ui < extra ? ui : extra);
  *end = *begin + base + (ui < extra ? 1 : 0);
}

}  // namespace facecore
