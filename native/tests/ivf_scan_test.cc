#include "facecore/ivf_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "test_util.h"

namespace facecore {
namespace {

// Cells from a random assignment, each row probing `probes` random distinct cells; checks every
// asker slot against a float64 brute force over that cell's members (integer rows: exact scores,
// real ties, which go to the lower position in `members`).
void check(size_t n, size_t dim, size_t cells, size_t probes, size_t k, float min_score, int threads, uint32_t seed,
           Metric metric = Metric::kDot) {
  SCOPED_TRACE(::testing::Message() << "n " << n << " dim " << dim << " cells " << cells << " probes " << probes << " k " << k);
  const std::vector<float> rows = testing::integer_rows(n, dim, seed);
  std::mt19937 rng(seed);
  std::vector<int32_t> home(n), member_start(cells + 1, 0), members(n);
  for (auto& h : home) h = static_cast<int32_t>(rng() % cells);
  for (size_t i = 0; i < n; ++i) member_start[home[i] + 1]++;
  for (size_t c = 0; c < cells; ++c) member_start[c + 1] += member_start[c];
  std::vector<int32_t> fill(member_start.begin(), member_start.end() - 1);
  for (size_t i = 0; i < n; ++i) members[fill[home[i]]++] = static_cast<int32_t>(i);
  std::vector<std::vector<int32_t>> by_cell(cells);
  for (size_t i = 0; i < n; ++i) {
    std::vector<int32_t> order(cells);
    for (size_t c = 0; c < cells; ++c) order[c] = static_cast<int32_t>(c);
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t p = 0; p < probes; ++p) by_cell[order[p]].push_back(static_cast<int32_t>(i));
  }
  std::vector<int32_t> askers, probe_start{0};
  for (auto& list : by_cell) askers.insert(askers.end(), list.begin(), list.end()), probe_start.push_back(static_cast<int32_t>(askers.size()));
  const IvfCells ivf{rows.data(), members.data(), member_start.data(), askers.data(), probe_start.data(), n, dim, metric};
  std::vector<int32_t> idx(askers.size() * k, 7);
  std::vector<float> sc(askers.size() * k, 7.f);
  ASSERT_EQ(ivf_scan(ivf, 0, cells, k, min_score, idx.data(), sc.data(), threads), Status::kOk);
  for (size_t c = 0; c < cells; ++c) {
    for (int32_t a = probe_start[c]; a < probe_start[c + 1]; ++a) {
      const int32_t u = askers[a];
      std::vector<std::pair<double, int32_t>> want;  // (score, position in members)
      for (int32_t s = member_start[c]; s < member_start[c + 1]; ++s) {
        if (members[s] == u) continue;
        double d = 0, a = 0, b = 0;
        for (size_t e = 0; e < dim; ++e) {
          const double x = rows[u * dim + e], y = rows[members[s] * dim + e];
          d += x * y, a += x * x, b += y * y;
        }
        if (metric == Metric::kCosine) d = a > 0 && b > 0 ? d / std::sqrt(a * b) : 0;
        if (d >= min_score) want.push_back({d, s});
      }
      std::stable_sort(want.begin(), want.end(), [](auto& x, auto& y) { return x.first > y.first; });
      for (size_t r = 0; r < k; ++r) {
        if (r < want.size()) {
          if (metric == Metric::kDot) {
            EXPECT_EQ(idx[a * k + r], members[want[r].second]);
            EXPECT_EQ(sc[a * k + r], float(want[r].first));
          } else {  // float32 cosine: near-ties may swap, the scores agree
            EXPECT_NEAR(sc[a * k + r], want[r].first, 1e-5);
          }
        } else {
          EXPECT_EQ(idx[a * k + r], -1);
          EXPECT_EQ(sc[a * k + r], -std::numeric_limits<float>::infinity());
        }
      }
    }
  }
}

TEST(IvfScan, MatchesBruteForcePerCell) {
  check(200, 17, 9, 3, 5, -std::numeric_limits<float>::infinity(), 2, 1);
  check(300, 64, 12, 2, 8, 4.0f, 2, 2);          // a floor: short lists
  check(50, 5, 20, 4, 10, -std::numeric_limits<float>::infinity(), 1, 3);  // k past most cells' sizes, empty cells
  check(1, 8, 1, 1, 3, -std::numeric_limits<float>::infinity(), 2, 4);   // one row: only itself, so nothing
  check(0, 8, 2, 1, 3, -std::numeric_limits<float>::infinity(), 2, 5);   // no rows
  check(250, 33, 8, 3, 6, -std::numeric_limits<float>::infinity(), 2, 7, Metric::kCosine);
  check(250, 33, 8, 3, 6, 0.2f, 2, 8, Metric::kCosine);
}

TEST(IvfScan, StopsWhenAborted) {
  const std::vector<float> rows = testing::integer_rows(10, 4, 6);
  std::vector<int32_t> members(10), ms{0, 10}, askers(10), ps{0, 10};
  for (int i = 0; i < 10; ++i) members[i] = askers[i] = i;
  const IvfCells ivf{rows.data(), members.data(), ms.data(), askers.data(), ps.data(), 10, 4};
  std::vector<int32_t> idx(30, 7);
  std::vector<float> sc(30);
  std::atomic<int32_t> abort{1}, done{0};
  ASSERT_EQ(ivf_scan(ivf, 0, 1, 3, 0.f, idx.data(), sc.data(), 1, &abort, &done), Status::kOk);
  EXPECT_EQ(done.load(), 0);
  EXPECT_EQ(idx[0], 7);  // untouched
}

}  // namespace
}  // namespace facecore
