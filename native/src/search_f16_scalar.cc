// Portable float16 gallery block: one value at a time, halves widened by f16_to_f32.
#include "facecore/gallery_search.h"
#include "facecore/quantize.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct F16Scalar {
  using Q = float;
  using G = uint16_t;
  using S = float;
  using Acc = float;
  using QV = float;
  using GV = float;
  static constexpr size_t kWidth = 1, kMR = 2, kNR = 4;
  static Acc zero() { return 0.0f; }
  static QV load_q(const float* p) { return *p; }
  static QV load_q_tail(const float* p, size_t) { return *p; }
  static GV load_g(const uint16_t* p) {
    float f;
    f16_to_f32_scalar(p, 1, &f);
    return f;
  }
  static GV load_g_tail(const uint16_t* p, size_t) { return load_g(p); }
  static Acc madd(QV a, GV b, Acc c) { return c + a * b; }
  static S reduce(Acc v) { return v; }
};

}  // namespace

void dot_block_f16_scalar(const float* q, size_t nq, const uint16_t* g, size_t ng, size_t dim, float* s, size_t lds) {
  stored_block_impl<F16Scalar>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
