// Per-query result handler for exact top-k: keeps the k best (score, index) pairs seen.
// Gallery rows reach a handler in increasing index order, so a new score only enters when
// it is strictly greater than the current worst: on equal scores the lower index stays.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "facecore/similarity.h"

namespace facecore::detail {

struct Hit {
  float score;
  int32_t index;
};

// Strict "better than": higher score first, then lower index.
inline bool better(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.index < b.index);
}

// A bounded heap whose top is the worst kept hit (std heap ordered by `better`).
class TopKHeap {
 public:
  void reset(Hit* storage, size_t k) {
    hits_ = storage;
    k_ = k;
    size_ = 0;
    threshold_ = -std::numeric_limits<float>::infinity();
  }

  // Offers scores[j] for gallery indices base + j, j < n; `above` finds the next
  // score over the threshold (a SIMD scan from the active ISA).
  void offer(const float* scores, size_t n, int32_t base, FirstAboveFn above) {
    size_t j = 0;
    // Fill phase: every score enters until k are kept.
    for (; j < n && size_ < k_; ++j) {
      hits_[size_++] = {scores[j], base + static_cast<int32_t>(j)};
      std::push_heap(hits_, hits_ + size_, better);
      if (size_ == k_) threshold_ = hits_[0].score;
    }
    while (j < n) {
      j += above(scores + j, n - j, threshold_);
      if (j == n) break;
      std::pop_heap(hits_, hits_ + k_, better);
      hits_[k_ - 1] = {scores[j], base + static_cast<int32_t>(j)};
      std::push_heap(hits_, hits_ + k_, better);
      threshold_ = hits_[0].score;
      ++j;
    }
  }

  size_t size() const { return size_; }
  const Hit* begin() const { return hits_; }
  const Hit* end() const { return hits_ + size_; }

 private:
  Hit* hits_ = nullptr;
  size_t k_ = 0, size_ = 0;
  float threshold_ = 0;
};

}  // namespace facecore::detail
