// Result handlers for block_scan: per (part, query) state fed by score tiles, merged after the
// scan. Tie rule everywhere: equal scores -> the lower row index. Each state keeps the best
// hits under that strict total order whatever order rows reach it in (the k-NN self-join feeds
// a row its neighbours both as a query and as a gallery row), so the merged result is the same
// for any thread count: a score equal to the worst kept one enters only with a lower index.
//   PerPartHandler<HeapState>       the best k (small k)
//   PerPartHandler<ReservoirState>  the best k (large k; faiss's ReservoirTopN: collect above a
//                                   threshold, shrink to k with nth_element when the buffer is full)
//   PerPartHandler<Top1State>       the best one (with_best_k_state picks among the three by k)
//   RangeHandler                    every hit >= min_score (uncapped; capped at k = heap/reservoir with a floor)
// Every handler takes min_score: scores below it never enter (-Inf, i.e. masked rows, never do).
// The parts of one query share a bar: once a part keeps k hits, a score below its k-th cannot
// reach the merged best k, so no part keeps one (at k = 32 with 8 parts, heap upkeep in every
// part had cost 40% of a search; equal scores still enter, for the tie rule).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "facecore/block_scan.h"
#include "facecore/similarity.h"

namespace facecore {

struct Hit {
  float score;
  int32_t index;
};

// Strict "better than": higher score first, then lower index. A function object, so the heap
// and sort calls inline it (as a function pointer it was ~5% of a k-NN graph's time).
struct Better {
  bool operator()(const Hit& a, const Hit& b) const {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
  }
};
constexpr Better better{};

constexpr float kNoScore = -std::numeric_limits<float>::infinity();

// The largest float below min_score: "s > floor" is "s >= min_score", the test first_above does.
inline float floor_below(float min_score) { return std::nextafter(min_score, kNoScore); }

// Sorts `all` best first and writes the first k (index -1 / score -Inf past the hits).
inline void write_best(std::vector<Hit>& all, size_t k, int32_t* indices, float* scores) {
  const size_t m = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + m, all.end(), better);
  for (size_t r = 0; r < k; ++r) {
    indices[r] = r < m ? all[r].index : -1;
    scores[r] = r < m ? all[r].score : kNoScore;
  }
}

// Shared layout: one state per (part, query), part-major; merge walks the parts in order.
template <class State>
class PerPartHandler {
 public:
  PerPartHandler(size_t nq, int parts, State proto)
      : nq_(nq), parts_(parts), states_(nq * parts, proto), shared_(new std::atomic<float>[nq]) {
    for (size_t i = 0; i < nq; ++i) shared_[i].store(kNoScore, std::memory_order_relaxed);
  }

  void add(int part, size_t q0, size_t qn, size_t g0, size_t gn, const float* s, size_t lds) {
    State* mine = states_.data() + static_cast<size_t>(part) * nq_ + q0;
    const auto above = detail::first_above();
    for (size_t i = 0; i < qn; ++i) {
      std::atomic<float>& shared = shared_[q0 + i];
      float bar = shared.load(std::memory_order_relaxed);
      mine[i].offer(s + i * lds, gn, static_cast<int32_t>(g0), above, bar == kNoScore ? kNoScore : floor_below(bar));
      // Raise the shared bar to this part's k-th best (a stale read only leaves it lower).
      for (const float kth = mine[i].kth(); kth > bar && !shared.compare_exchange_weak(bar, kth, std::memory_order_relaxed);) {
      }
    }
  }

  // Query i's state in one part (callers other than add: one part is one thread's at a time).
  State& at(int part, size_t i) { return states_[static_cast<size_t>(part) * nq_ + i]; }

  // Every part's hits for query i, in part order.
  void gather(size_t i, std::vector<Hit>* out) const {
    out->clear();
    for (int p = 0; p < parts_; ++p) states_[static_cast<size_t>(p) * nq_ + i].append_to(out);
  }

  // nq x k, best first, padded with -1 / -Inf.
  void write(size_t k, int32_t* indices, float* scores) const {
    std::vector<Hit> all;
    for (size_t i = 0; i < nq_; ++i) {
      gather(i, &all);
      write_best(all, k, indices + i * k, scores + i * k);
    }
  }

 private:
  size_t nq_;
  int parts_;
  std::vector<State> states_;
  // Per query, the best k-th score any part has kept so far.
  std::unique_ptr<std::atomic<float>[]> shared_;
};

namespace detail {

// A bounded heap whose top is the worst kept hit (std heap ordered by `better`).
class HeapState {
 public:
  HeapState(size_t k, float min_score) : k_(k), floor_(floor_below(min_score)) {}

  // Only scores above this can enter now.
  float bar() const { return hits_.size() == k_ ? floor_below(hits_.front().score) : floor_; }
  // The k-th best score kept, once there are k; else -Inf.
  float kth() const { return hits_.size() == k_ ? hits_.front().score : kNoScore; }
  // Offers s[0, n) (rows base + j); only scores above `outer` too (another part's bar) can enter.
  void offer(const float* s, size_t n, int32_t base, FirstAboveFn above, float outer = kNoScore) {
    if (hits_.capacity() == 0) hits_.reserve(k_);
    float t = std::max(bar(), outer);
    for (size_t j = 0;; ++j) {
      j += above(s + j, n - j, t);
      if (j >= n) return;
      const Hit hit{s[j], base + static_cast<int32_t>(j)};
      if (hits_.size() == k_) {
        if (!better(hit, hits_.front())) continue;  // a tie with a higher index
        std::pop_heap(hits_.begin(), hits_.end(), better);
        hits_.pop_back();
      }
      hits_.push_back(hit);
      std::push_heap(hits_.begin(), hits_.end(), better);
      t = std::max(bar(), outer);
    }
  }
  void append_to(std::vector<Hit>* out) const { out->insert(out->end(), hits_.begin(), hits_.end()); }

 private:
  size_t k_;
  float floor_;
  std::vector<Hit> hits_;
};

// Collects every hit at or above the threshold; at 2k hits keeps the best k and raises the
// threshold to the k-th score (an equal score may still win on a lower index: write_best sorts).
class ReservoirState {
 public:
  ReservoirState(size_t k, float min_score) : k_(k), threshold_(floor_below(min_score)) {}

  float bar() const { return threshold_; }
  // At least k kept hits score this or more (-Inf before the first shrink).
  float kth() const { return kth_; }
  void offer(const float* s, size_t n, int32_t base, FirstAboveFn above, float outer = kNoScore) {
    for (size_t j = 0;; ++j) {
      j += above(s + j, n - j, std::max(threshold_, outer));
      if (j >= n) return;
      hits_.push_back({s[j], base + static_cast<int32_t>(j)});
      if (hits_.size() == 2 * k_) shrink();
    }
  }
  void append_to(std::vector<Hit>* out) const { out->insert(out->end(), hits_.begin(), hits_.end()); }

 private:
  void shrink() {
    std::nth_element(hits_.begin(), hits_.begin() + (k_ - 1), hits_.end(), better);
    kth_ = hits_[k_ - 1].score;
    threshold_ = floor_below(kth_);
    hits_.resize(k_);
  }

  size_t k_;
  float threshold_;
  float kth_ = kNoScore;
  std::vector<Hit> hits_;
};

class Top1State {
 public:
  explicit Top1State(float min_score) : best_{floor_below(min_score), -1} {}

  float bar() const { return best_.index < 0 ? best_.score : floor_below(best_.score); }
  float kth() const { return best_.index < 0 ? kNoScore : best_.score; }
  void offer(const float* s, size_t n, int32_t base, FirstAboveFn above, float outer = kNoScore) {
    for (size_t j = 0;; ++j) {
      j += above(s + j, n - j, std::max(bar(), outer));
      if (j >= n) return;
      const Hit hit{s[j], base + static_cast<int32_t>(j)};
      if (best_.index < 0 || better(hit, best_)) best_ = hit;
    }
  }
  void append_to(std::vector<Hit>* out) const {
    if (best_.index >= 0) out->push_back(best_);
  }

 private:
  Hit best_;
};

class RangeState {
 public:
  explicit RangeState(float min_score) : floor_(floor_below(min_score)) {}

  float bar() const { return floor_; }
  // Every hit counts: there is no k-th to share, so no part ever raises another's bar.
  float kth() const { return kNoScore; }
  void offer(const float* s, size_t n, int32_t base, FirstAboveFn above, float = kNoScore) {
    for (size_t j = 0;; ++j) {
      j += above(s + j, n - j, floor_);
      if (j >= n) return;
      hits_.push_back({s[j], base + static_cast<int32_t>(j)});
    }
  }
  void append_to(std::vector<Hit>* out) const { out->insert(out->end(), hits_.begin(), hits_.end()); }

 private:
  float floor_;
  std::vector<Hit> hits_;
};

}  // namespace detail

struct RangeHandler : PerPartHandler<detail::RangeState> {
  RangeHandler(size_t nq, int parts, float min_score) : PerPartHandler(nq, parts, detail::RangeState(min_score)) {}

  // Per query every hit, best first: query i's are [lims[i], lims[i + 1]).
  void write_all(std::vector<size_t>* lims, std::vector<int32_t>* indices, std::vector<float>* scores, size_t nq) const {
    lims->assign(1, 0);
    indices->clear();
    scores->clear();
    std::vector<Hit> all;
    for (size_t i = 0; i < nq; ++i) {
      gather(i, &all);
      std::sort(all.begin(), all.end(), better);
      for (const Hit& h : all) indices->push_back(h.index), scores->push_back(h.score);
      lims->push_back(indices->size());
    }
  }
};

// Calls fn with a fresh state of the kind that suits k (top-1, heap, reservoir).
template <class Fn>
auto with_best_k_state(size_t k, float min_score, Fn&& fn) {
  if (k == 1) return fn(detail::Top1State(min_score));
  if (k < tuning::kReservoirFromK) return fn(detail::HeapState(k, min_score));
  return fn(detail::ReservoirState(k, min_score));
}

// The best k per query (nq x k, padded with -1 / -Inf) through the handler that suits k.
template <class Producer>
Status scan_top_k(const ScanGrid& grid, const Producer& producer, size_t k, float min_score, int32_t* indices,
                  float* scores) {
  if (grid.nq == 0 || k == 0) return Status::kOk;
  return with_best_k_state(k, min_score, [&](auto proto) {
    PerPartHandler<decltype(proto)> handler(grid.nq, grid.parts, proto);
    if (!block_scan(grid, producer, handler)) return Status::kNonFinite;
    handler.write(k, indices, scores);
    return Status::kOk;
  });
}

}  // namespace facecore
