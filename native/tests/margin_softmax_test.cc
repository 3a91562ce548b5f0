#include "facecore/margin_softmax.h"
#include "facecore/optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "test_util.h"

namespace facecore {
namespace {

// Float64 reference of the same formulas (docs/margin.md), on the full B x C logits.
struct Ref {
  double loss = 0, accuracy = 0;
  std::vector<double> gx, gw;
};

Ref reference(const std::vector<float>& x, const std::vector<float>& w, const std::vector<int32_t>& labels,
              size_t dim, size_t n_cls, size_t K, const MarginParams& p, const std::vector<int32_t>* active) {
  const size_t B = labels.size();
  auto wrow = [&](size_t c, size_t k) {
    const size_t cls = active ? (*active)[c] : c;
    return &w[(cls * K + k) * dim];
  };
  auto norm = [&](const float* v) {
    double s = 0;
    for (size_t q = 0; q < dim; ++q) s += double(v[q]) * v[q];
    return std::sqrt(s);
  };
  Ref r;
  r.gx.assign(B * dim, 0.0);
  r.gw.assign(n_cls * K * dim, 0.0);
  size_t n = 0, correct = 0;
  for (int32_t y : labels) n += y >= 0;
  for (size_t i = 0; i < B; ++i) {
    if (labels[i] < 0) continue;
    const float* xi = &x[i * dim];
    const double nx = norm(xi);
    std::vector<double> cosc(n_cls), z(n_cls);
    std::vector<size_t> arg(n_cls);
    for (size_t c = 0; c < n_cls; ++c) {
      double best = -2;
      for (size_t k = 0; k < K; ++k) {
        const float* wk = wrow(c, k);
        double dotv = 0;
        for (size_t q = 0; q < dim; ++q) dotv += double(xi[q]) * wk[q];
        const double v = std::clamp(dotv / (nx * norm(wk)), -1.0, 1.0);
        if (v > best) best = v, arg[c] = k;
      }
      cosc[c] = best;
      z[c] = p.s * best;
    }
    const size_t y = labels[i];
    double fp;
    z[y] = p.s * margin_target(cosc[y], p, &fp);
    const size_t top = std::max_element(cosc.begin(), cosc.end()) - cosc.begin();
    correct += top == y;
    const double m = *std::max_element(z.begin(), z.end());
    double sum = 0;
    for (double v : z) sum += std::exp(v - m);
    const double lse = m + std::log(sum);
    r.loss += (lse - z[y]) / n;
    for (size_t c = 0; c < n_cls; ++c) {
      const double pc = std::exp(z[c] - lse);
      const double g = (c == y ? p.s * fp * (pc - 1) : p.s * pc) / n;
      const float* wk = wrow(c, arg[c]);
      const double nw = norm(wk);
      // d cos / dx = (w_hat - cos x_hat) / |x|;  d cos / dw = (x_hat - cos w_hat) / |w|
      double cosv = 0;
      for (size_t q = 0; q < dim; ++q) cosv += double(xi[q]) * wk[q];
      cosv /= nx * nw;
      for (size_t q = 0; q < dim; ++q) {
        r.gx[i * dim + q] += g * (wk[q] / nw - cosv * xi[q] / nx) / nx;
        r.gw[(c * K + arg[c]) * dim + q] += g * (xi[q] / nx - cosv * wk[q] / nw) / nw;
      }
    }
  }
  r.accuracy = double(correct) / n;
  return r;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  const double scale = std::max(max_abs(want), 1e-12);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]) / scale);
  EXPECT_LT(worst, 1e-5) << what;
}

TEST(MarginSoftmax, MatchesFloat64ReferenceOnEveryIsaShapeAndThreadCount) {
  const MarginParams arc{64, 1, 0.5, 0}, cos{30, 1, 0, 0.35}, comb{64, 1.0, 0.3, 0.2};
  struct Shape {
    size_t B, dim, C, K;
  };
  // At dim 512 a tile holds 96 rows: 250 classes span three tiles, the last one partial.
  const Shape shapes[] = {{1, 7, 5, 1}, {6, 33, 130, 1}, {5, 17, 97, 3}, {9, 64, 301, 1}, {4, 129, 70, 3},
                          {3, 512, 250, 1}, {2, 513, 100, 3}};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (const auto& sh : shapes)
      for (const MarginParams& p : {arc, cos, comb})
        for (int threads : {1, 3}) {
          auto x = testing::random_rows(sh.B, sh.dim, uint32_t(sh.B * 7 + sh.dim));
          auto w = testing::random_rows(sh.C * sh.K, sh.dim, uint32_t(sh.C + sh.K));
          std::vector<int32_t> labels(sh.B);
          for (size_t i = 0; i < sh.B; ++i) labels[i] = int32_t((i * 37 + 11) % sh.C);
          if (sh.B > 2) labels[1] = -1;
          MarginProblem pr{x.data(), sh.B, sh.dim, w.data(), sh.C, sh.K, labels.data(), nullptr, 0};
          std::vector<float> gx(sh.B * sh.dim, 9.0f), gw(sh.C * sh.K * sh.dim, 9.0f);
          MarginResult res;
          ASSERT_EQ(margin_softmax(pr, p, gx.data(), gw.data(), &res, threads), Status::kOk);
          const Ref ref = reference(x, w, labels, sh.dim, sh.C, sh.K, p, nullptr);
          EXPECT_NEAR(res.loss, ref.loss, 1e-5 * std::max(1.0, ref.loss)) << isa_name(isa);
          EXPECT_DOUBLE_EQ(res.accuracy, ref.accuracy);
          expect_close(gx, ref.gx, "grad x");
          expect_close(gw, ref.gw, "grad w");
        }
  }
}

TEST(MarginSoftmax, ActiveClassesComputeOnlyOnThoseRows) {
  const size_t B = 8, dim = 40, C = 500, K = 3;
  auto x = testing::random_rows(B, dim, 1), w = testing::random_rows(C * K, dim, 2);
  std::vector<int32_t> active;
  for (int32_t c = 0; c < int32_t(C); c += 7) active.push_back(c);
  std::vector<int32_t> labels(B);
  for (size_t i = 0; i < B; ++i) labels[i] = int32_t(i * 5 % active.size());
  MarginProblem pr{x.data(), B, dim, w.data(), C, K, labels.data(), active.data(), active.size()};
  const MarginParams p{64, 1, 0.5, 0};
  std::vector<float> gx(B * dim), gw(active.size() * K * dim);
  MarginResult res;
  ASSERT_EQ(margin_softmax(pr, p, gx.data(), gw.data(), &res, 2), Status::kOk);
  const Ref ref = reference(x, w, labels, dim, active.size(), K, p, &active);
  EXPECT_NEAR(res.loss, ref.loss, 1e-5 * ref.loss);
  expect_close(gx, ref.gx, "grad x");
  expect_close(gw, ref.gw, "grad w");
}

// Products kept from pass 1 or computed again in pass 2 are the same bits, so both ways give the
// same answer, bit for bit (the reference test above runs with the cache: its shapes fit).
TEST(MarginSoftmax, CachedProductsGiveTheSameBitsAsRecomputedOnes) {
  struct Shape {
    size_t B, dim, C, K;
    bool active;
  };
  const Shape shapes[] = {{5, 17, 97, 3, false}, {9, 512, 250, 1, false}, {8, 40, 500, 3, true}, {1, 7, 5, 1, false}};
  const size_t budget = detail::margin_cache_bytes();
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (const auto& sh : shapes)
      for (int threads : {1, 3}) {
        auto x = testing::random_rows(sh.B, sh.dim, 3), w = testing::random_rows(sh.C * sh.K, sh.dim, 4);
        std::vector<int32_t> active;
        for (int32_t c = 0; sh.active && c < int32_t(sh.C); c += 3) active.push_back(c);
        const size_t n_cls = sh.active ? active.size() : sh.C;
        std::vector<int32_t> labels(sh.B);
        for (size_t i = 0; i < sh.B; ++i) labels[i] = int32_t((i * 13 + 2) % n_cls);
        MarginProblem pr{x.data(), sh.B, sh.dim, w.data(), sh.C, sh.K, labels.data(),
                         sh.active ? active.data() : nullptr, active.size()};
        std::vector<float> gx[2], gw[2];
        MarginResult res[2];
        for (int way = 0; way < 2; ++way) {
          detail::margin_cache_bytes() = way == 0 ? budget : 0;
          gx[way].assign(sh.B * sh.dim, 9.0f), gw[way].assign(n_cls * sh.K * sh.dim, 9.0f);
          const Status st = margin_softmax(pr, {64, 1, 0.5, 0}, gx[way].data(), gw[way].data(), &res[way], threads);
          ASSERT_EQ(st, Status::kOk);
        }
        detail::margin_cache_bytes() = budget;
        EXPECT_EQ(res[0].loss, res[1].loss) << isa_name(isa);
        EXPECT_EQ(res[0].accuracy, res[1].accuracy);
        EXPECT_EQ(gx[0], gx[1]) << isa_name(isa) << " B " << sh.B << " C " << sh.C;
        EXPECT_EQ(gw[0], gw[1]) << isa_name(isa) << " B " << sh.B << " C " << sh.C;
      }
  }
}

TEST(MarginSoftmax, GemmMatchesReferenceOnRaggedShapes) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    const auto& ops = detail::margin_ops();
    for (size_t m : {1, 5, 13})
      for (size_t kk : {1, 7, 40})
        for (size_t n : {1, 15, 17, 64, 100}) {
          auto a = testing::random_rows(m, kk, 3), b = testing::random_rows(kk, n, 4);
          auto c = testing::random_rows(m, n, 5);
          auto c0 = c;
          ops.gemm(a.data(), kk, 1, m, kk, b.data(), n, n, c.data(), n, true);
          for (size_t r = 0; r < m; ++r)
            for (size_t j = 0; j < n; ++j) {
              double want = c0[r * n + j];
              for (size_t q = 0; q < kk; ++q) want += double(a[r * kk + q]) * b[q * n + j];
              ASSERT_NEAR(c[r * n + j], want, 1e-5 * std::sqrt(double(kk))) << isa_name(isa);
            }
          // Transposed A, overwrite.
          auto at = testing::random_rows(kk, m, 6);
          ops.gemm(at.data(), 1, m, m, kk, b.data(), n, n, c.data(), n, false);
          for (size_t r = 0; r < m; ++r)
            for (size_t j = 0; j < n; ++j) {
              double want = 0;
              for (size_t q = 0; q < kk; ++q) want += double(at[q * m + r]) * b[q * n + j];
              ASSERT_NEAR(c[r * n + j], want, 1e-5 * std::sqrt(double(kk))) << isa_name(isa);
            }
        }
  }
}

TEST(MarginSoftmax, ExpScaleIsAccurateOverTheSoftmaxRange) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    std::vector<float> v;
    for (float t = -80.0f; t <= 80.0f; t += 0.0137f) v.push_back(t);
    auto orig = v;
    const float sum = detail::margin_ops().exp_scale(v.data(), v.size(), 1.0f, 0.0f, 1.0f);
    double want_sum = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const double want = std::exp(double(orig[i]));
      want_sum += want;
      ASSERT_NEAR(v[i], want, 3e-7 * want) << isa_name(isa) << " x=" << orig[i];
    }
    EXPECT_NEAR(sum, want_sum, 1e-5 * want_sum);
  }
}

// NaN passes exp's clamp: it must come out as NaN (so the kernel reports it), and under
// UBSan its bits must not reach a signed shift.
TEST(MarginSoftmax, ExpScalePropagatesNaN) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    std::vector<float> v(37, 0.5f);
    v[3] = NAN;
    v[20] = -NAN;
    v[36] = NAN;
    const float sum = detail::margin_ops().exp_scale(v.data(), v.size(), 1.0f, 0.0f, 1.0f);
    EXPECT_TRUE(std::isnan(sum)) << isa_name(isa);
    for (size_t i : {3, 20, 36}) EXPECT_TRUE(std::isnan(v[i])) << isa_name(isa) << " i=" << i;
    EXPECT_NEAR(v[0], std::exp(0.5), 1e-6) << isa_name(isa);
  }
}

TEST(MarginSoftmax, NonFiniteInputIsReported) {
  auto x = testing::random_rows(3, 8, 1), w = testing::random_rows(10, 8, 2);
  std::vector<int32_t> labels{0, 1, 2};
  MarginResult res;
  w[13] = NAN;
  MarginProblem pr{x.data(), 3, 8, w.data(), 10, 1, labels.data(), nullptr, 0};
  EXPECT_EQ(margin_softmax(pr, MarginParams{}, nullptr, nullptr, &res, 1), Status::kNonFinite);
  w[13] = 0.5f;
  x[5] = INFINITY;
  EXPECT_EQ(margin_softmax(pr, MarginParams{}, nullptr, nullptr, &res, 1), Status::kNonFinite);
}

}  // namespace
}  // namespace facecore

namespace facecore {
namespace {

TEST(OptimizerStep, SgdMomentumAndAdamWUpdateOnlyTheMappedRows) {
  const size_t rows = 7, len = 13;
  auto w = testing::random_rows(rows, len, 1), g = testing::random_rows(3, len, 2);
  auto m = testing::random_rows(rows, len, 3), v = testing::random_rows(rows, len, 4);
  for (auto& x : v) x = std::abs(x);
  const std::vector<int32_t> map{5, 0, 3};
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdamW}) {
    OptimizerParams p;
    p.kind = kind;
    p.lr = 0.05f, p.momentum = 0.9f, p.weight_decay = 0.01f, p.bias1 = 0.19f, p.bias2 = 0.002f;
    auto w1 = w, m1 = m, v1 = v;
    optimizer_step(w1.data(), m1.data(), v1.data(), g.data(), map.data(), map.size(), len, p, 2);
    for (size_t r = 0; r < rows; ++r) {
      const auto it = std::find(map.begin(), map.end(), int32_t(r));
      for (size_t q = 0; q < len; ++q) {
        const size_t i = r * len + q;
        double want = w[i];
        if (it != map.end()) {
          const double gq = g[(it - map.begin()) * len + q];
          if (kind == OptimizerKind::kSgd) {
            want -= 0.05 * (0.9 * double(m[i]) + gq + 0.01 * w[i]);
          } else {
            const double mq = 0.9 * m[i] + 0.1 * gq, vq = 0.999 * v[i] + 0.001 * gq * gq;
            want -= 0.05 * (mq / 0.19 / (std::sqrt(vq / 0.002) + 1e-8) + 0.01 * w[i]);
          }
        }
        ASSERT_NEAR(w1[i], want, 1e-5) << int(kind) << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace facecore
