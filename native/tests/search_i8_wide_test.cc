// The widened int8 block kernels (search_i8_wide.h) against an int64 reference on ragged
// shapes, at the extreme codes (no overflow at the i16_query_max bound), writing only their tile.
#include "facecore/search_i8_wide.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "facecore/quantize.h"
#include "test_util.h"

namespace facecore {
namespace {

struct Shape {
  size_t nq, ng, dim;
};

// Codes for nq queries and ng rows: random, or every one at its extreme (the largest sums).
void make_codes(const Shape& s, bool extreme, uint32_t seed, std::vector<int16_t>* q, std::vector<int8_t>* g) {
  std::mt19937 rng(seed);
  const int qmax = i16_query_max(s.dim);
  std::uniform_int_distribution<int> uq(-qmax, qmax), ug(-127, 127);
  q->resize(s.nq * s.dim);
  g->resize(s.ng * s.dim);
  for (auto& v : *q) v = static_cast<int16_t>(extreme ? qmax : uq(rng));
  for (auto& v : *g) v = static_cast<int8_t>(extreme ? 127 : ug(rng));
  if (extreme && !g->empty()) (*g)[0] = -127;  // one row not all alike
}

TEST(WideI8, MatchesInt64ReferenceOnEveryIsa) {
  const std::vector<Shape> shapes = {{0, 5, 8},   {5, 0, 8},   {1, 1, 1},    {2, 3, 2},     {3, 25, 15},
                                     {7, 24, 16}, {4, 49, 17}, {13, 48, 31}, {6, 23, 33},   {64, 50, 64},
                                     {9, 10, 100}, {5, 26, 512}, {1, 72, 513}, {16, 30, 1000}};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    const detail::DotWideI8Fn dot = detail::dot_wide_i8();
    for (const Shape& s : shapes)
      for (bool extreme : {false, true}) {
        SCOPED_TRACE(::testing::Message() << isa_name(isa) << " nq " << s.nq << " ng " << s.ng << " dim " << s.dim
                                          << (extreme ? " extreme" : ""));
        std::vector<int16_t> q;
        std::vector<int8_t> g;
        make_codes(s, extreme, static_cast<uint32_t>(s.nq * 7 + s.ng * 3 + s.dim), &q, &g);
        const size_t stride = detail::wide_i8_stride(s.dim), lds = s.ng + 3;
        std::vector<int16_t> qw(s.nq * stride, 0), gw(s.ng * stride, -1);
        for (size_t i = 0; i < s.nq; ++i) std::copy_n(&q[i * s.dim], s.dim, &qw[i * stride]);
        detail::widen_i8_rows(g.data(), s.ng, s.dim, gw.data());
        for (size_t j = 0; j < s.ng; ++j)
          for (size_t c = s.dim; c < stride; ++c) ASSERT_EQ(gw[j * stride + c], 0) << "padding of row " << j;
        const int32_t kUntouched = 0x7eadbeef;
        std::vector<int32_t> out(s.nq * lds, kUntouched);
        dot(qw.data(), s.nq, gw.data(), s.ng, stride, out.data(), lds);
        for (size_t i = 0; i < s.nq; ++i) {
          for (size_t j = 0; j < s.ng; ++j) {
            int64_t want = 0;
            for (size_t c = 0; c < s.dim; ++c) want += int64_t{q[i * s.dim + c]} * g[j * s.dim + c];
            ASSERT_EQ(out[i * lds + j], want) << "query " << i << " row " << j;
          }
          for (size_t j = s.ng; j < lds; ++j) ASSERT_EQ(out[i * lds + j], kUntouched) << "past the tile";
        }
      }
  }
}

}  // namespace
}  // namespace facecore
