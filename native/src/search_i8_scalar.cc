// Portable int8 gallery block: exact int32 sums of int16 x int8 products.
#include "facecore/gallery_search.h"
#include "facecore/search_i8_wide.h"
#include "stored_block_impl.h"

namespace facecore::detail {
namespace {

struct I8Scalar {
  using Q = int16_t;
  using G = int8_t;
  using S = int32_t;
  using Acc = int32_t;
  using QV = int32_t;
  using GV = int32_t;
  static constexpr size_t kWidth = 1, kMR = 2, kNR = 4;
  static Acc zero() { return 0; }
  static QV load_q(const int16_t* p) { return *p; }
  static QV load_q_tail(const int16_t* p, size_t) { return *p; }
  static GV load_g(const int8_t* p) { return *p; }
  static GV load_g_tail(const int8_t* p, size_t) { return *p; }
  static Acc madd(QV a, GV b, Acc c) { return c + a * b; }
  static S reduce(Acc v) { return v; }
};

struct I16Scalar : I8Scalar {
  using G = int16_t;
  static GV load_g(const int16_t* p) { return *p; }
  static GV load_g_tail(const int16_t* p, size_t) { return *p; }
};

}  // namespace

void dot_wide_i8_scalar(const int16_t* q, size_t nq, const int16_t* wide, size_t ng, size_t stride, int32_t* s,
                        size_t lds) {
  stored_panels_impl<I16Scalar, 16>(q, nq, wide, ng, stride, s, lds);
}

void dot_block_i8_scalar(const int16_t* q, size_t nq, const int8_t* g, size_t ng, size_t dim, int32_t* s, size_t lds) {
  stored_block_impl<I8Scalar>(q, nq, g, ng, dim, s, lds);
}

}  // namespace facecore::detail
