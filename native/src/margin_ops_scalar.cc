// Portable margin pieces (any CPU, arm64 included): the same blocking over plain floats.
#include "margin_ops_impl.h"

namespace facecore::detail {
namespace {

struct Scalar {
  using V = float;
  static constexpr size_t kWidth = 1;
  static constexpr int kMR = 4, kNV = 4;
  static V zero() { return 0.0f; }
  static V set1(float x) { return x; }
  static V load(const float* p) { return *p; }
  static V load_tail(const float* p, size_t) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static void store_tail(float* p, V v, size_t) { *p = v; }
  static V add(V a, V b) { return a + b; }
  static V max(V a, V b) { return a > b ? a : b; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static float reduce(V v) { return v; }
  static float reduce_max(V v) { return v; }
};

}  // namespace

const MarginOps& margin_ops_scalar() { return margin_ops_for<Scalar>(); }

}  // namespace facecore::detail
