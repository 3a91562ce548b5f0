// Portable dot-product block (any CPU, arm64 included): the same tiling over plain floats.
#include "dot_block_impl.h"
#include "facecore/similarity.h"

namespace facecore::detail {
namespace {

struct Scalar {
  using V = float;
  static constexpr size_t kWidth = 1;
  static constexpr size_t kMR = 2, kNR = 4, kMRNorms = 2, kNRNorms = 4;
  static constexpr bool kPrefetch = false;
  static void prefetch(const float*) {}
  static V zero() { return 0.0f; }
  static V load(const float* p) { return *p; }
  static V load_tail(const float* p, size_t) { return *p; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static void reduce4(V a, V b, V c, V d, float* out) { out[0] = a, out[1] = b, out[2] = c, out[3] = d; }
};

}  // namespace

void dot_block_scalar(const float* q, size_t nq, const float* g, size_t ng, size_t dim, float* s, size_t lds,
                      float* gsq) {
  dot_block_impl<Scalar>(q, nq, g, ng, dim, s, lds, gsq);
}

size_t first_above_scalar(const float* s, size_t n, float threshold) {
  for (size_t j = 0; j < n; ++j)
    if (s[j] > threshold) return j;
  return n;
}

}  // namespace facecore::detail
