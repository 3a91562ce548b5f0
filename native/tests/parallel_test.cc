#include "facecore/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace facecore {
namespace {

TEST(ParallelFor, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 8})
    for (int tasks : {0, 1, 3, 100}) {
      std::vector<std::atomic<int>> hits(tasks);
      parallel_for(tasks, threads, [&](int i) { hits[i]++; });
      for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    }
}

TEST(ParallelFor, ConcurrentCallersDoNotDeadlock) {
  std::atomic<long> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 6; ++c)
    callers.emplace_back([&] {
      for (int r = 0; r < 50; ++r) parallel_for(16, 4, [&](int i) { total += i; });
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), 6L * 50 * (15 * 16 / 2));
}

TEST(ParallelFor, RethrowsATaskException) {
  EXPECT_THROW(parallel_for(10, 2, [](int i) { if (i == 7) throw std::runtime_error("task 7"); }), std::runtime_error);
}

TEST(SplitRange, CoversTheRangeInOrder) {
  size_t begin, end, expect = 0;
  for (int p = 0; p < 7; ++p) {
    split_range(100, 7, p, &begin, &end);
    EXPECT_EQ(begin, expect);
    expect = end;
  }
  EXPECT_EQ(expect, 100u);
}

}  // namespace
}  // namespace facecore
