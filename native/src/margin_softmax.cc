// Margin softmax driver: two passes over class tiles, split into contiguous ranges of tiles
// (one per thread, in class order, so a given thread count always gives the same bits).
//   pass 1: cos tile = X . W_tile^T (dot_block), max over sub-centres, margin on the target,
//           online max / sum of exp per row -> log-sum-exp, loss, accuracy.
//   pass 2: the same cos tile (kept from pass 1 if B x C fits margin_cache_bytes, else computed
//           again), G = dL/dcos, dX-hat += G . W-hat_tile, dW_tile = G^T . X-hat,
//           then the gradients through the normalisations.
#include "facecore/margin_softmax.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "facecore/cpu_features.h"
#include "facecore/parallel.h"

namespace facecore {
namespace {

constexpr double kPi = 3.14159265358979323846;
// sin(theta) at t = +-1 is taken as that of the float32 next to +-1 (sqrt(1 - (1 - 2^-24)^2)):
// the derivative of acos is then exact for every float32 t in (-1, 1) and finite at the ends.
constexpr double kMinSin = 3.4526698e-4;

// Per-thread scratch: one tile of cosines (then of G), G scaled by 1 / |w|, gathered W rows.
struct Scratch {
  std::vector<float> raw, scaled, wbuf, gsq, cc;
  std::vector<int32_t> karg;
};

struct Tiles {
  size_t classes_per_tile, count, n_cls;
  void range(size_t t, size_t* c0, size_t* nc) const {
    *c0 = t * classes_per_tile;
    *nc = std::min(classes_per_tile, n_cls - *c0);
  }
};

}  // namespace

double margin_target(double t, const MarginParams& p, double* derivative) {
  const double theta = std::acos(t);
  if (p.m1 * theta + p.m2 > kPi) {  // insightface: past pi the margin would raise the logit
    *derivative = 1.0;
    return t - std::sin(kPi - p.m2) * p.m2 - p.m3;
  }
  if (p.m1 == 1.0 && p.m2 == 0.0) {  // CosFace: no angle needed
    *derivative = 1.0;
    return t - p.m3;
  }
  const double u = p.m1 * theta + p.m2;
  const double sin_theta = std::max(std::sqrt(std::max(0.0, 1.0 - t * t)), kMinSin);
  *derivative = p.m1 * std::sin(u) / sin_theta;
  return std::cos(u) - p.m3;
}

namespace detail {

const MarginOps& margin_ops() {
#if defined(FACECORE_X86)
  switch (active_isa()) {
    case Isa::kAvx512: return margin_ops_avx512();
    case Isa::kAvx2: return margin_ops_avx2();
    default: break;
  }
#endif
  return margin_ops_scalar();
}

size_t margin_tile_classes(size_t dim, size_t subcenters) {
  return std::max<size_t>(1, gallery_block_rows(dim) / subcenters);
}

size_t& margin_cache_bytes() {
  static size_t bytes = size_t{64} << 20;  // C = 64k classes at B = 256, K = 1
  return bytes;
}

}  // namespace detail

Status margin_softmax(const MarginProblem& pr, const MarginParams& params, float* grad_x, float* grad_w,
                      MarginResult* result, int threads) {
  const size_t B = pr.batch, d = pr.dim, K = pr.subcenters;
  const size_t n_cls = pr.active ? pr.n_active : pr.classes;
  *result = MarginResult{};
  if (grad_x) std::memset(grad_x, 0, B * d * sizeof(float));
  if (B == 0 || n_cls == 0) {
    if (grad_w) std::memset(grad_w, 0, n_cls * K * d * sizeof(float));
    return Status::kOk;
  }

  std::vector<float> inv_x(B);
  detail::inverse_norms(pr.x, B, d, inv_x.data());
  for (float v : inv_x)
    if (!std::isfinite(v)) return Status::kNonFinite;
  for (size_t i = 0; i < B; ++i) result->counted += pr.labels[i] >= 0 ? 1 : 0;
  const size_t n = result->counted;
  if (n == 0) {
    if (grad_w) std::memset(grad_w, 0, n_cls * K * d * sizeof(float));
    return Status::kOk;
  }

  const auto& ops = detail::margin_ops();
  const auto dot = detail::dot_block();
  const float s = static_cast<float>(params.s);
  Tiles tiles{detail::margin_tile_classes(d, K), 0, n_cls};
  tiles.count = (n_cls + tiles.classes_per_tile - 1) / tiles.classes_per_tile;
  const int parts = static_cast<int>(std::min<size_t>(std::max(threads, 1), tiles.count));
  const size_t tile_rows = tiles.classes_per_tile * K;

  std::vector<Scratch> scratch(parts);
  for (auto& sc : scratch) {
    sc.raw.resize(B * tile_rows);
    sc.gsq.resize(tile_rows);
    sc.cc.resize(tiles.classes_per_tile);
    sc.karg.resize(tiles.classes_per_tile);
    if (pr.active) sc.wbuf.resize(tile_rows * d);
  }

  // The W rows of a tile (gathered when Partial FC picks the classes).
  auto tile_w = [&](Scratch& sc, size_t c0, size_t nc) -> const float* {
    if (!pr.active) return pr.w + c0 * K * d;
    for (size_t a = 0; a < nc; ++a)
      std::memcpy(sc.wbuf.data() + a * K * d, pr.w + static_cast<size_t>(pr.active[c0 + a]) * K * d,
                  K * d * sizeof(float));
    return sc.wbuf.data();
  };
  // S = X . rows^T into raw (B x nr), 1/|w| of each row into iw.
  auto products = [&](const float* rows, size_t nr, float* raw, float* iw, bool* finite) {
    dot(pr.x, B, rows, nr, d, raw, nr, iw);
    for (size_t j = 0; j < nr; ++j) {
      const float g = iw[j];
      if (!std::isfinite(g)) *finite = false;
      iw[j] = g > 0.0f ? 1.0f / std::sqrt(g) : 0.0f;
    }
  };
  // Where tile c0's products live: the per-call cache (pass 2 then skips the second X . W^T) or
  // the thread's scratch (pass 2 recomputes them).
  const bool cache = (grad_x || grad_w) && B * n_cls * K <= detail::margin_cache_bytes() / sizeof(float);
  std::unique_ptr<float[]> s_cache(cache ? new float[B * n_cls * K] : nullptr);
  std::unique_ptr<float[]> iw_cache(cache ? new float[n_cls * K] : nullptr);
  auto tile_raw = [&](Scratch& sc, size_t c0) { return cache ? s_cache.get() + B * c0 * K : sc.raw.data(); };
  auto tile_iw = [&](Scratch& sc, size_t c0) { return cache ? iw_cache.get() + c0 * K : sc.gsq.data(); };

  // Pass 1: per part, per row, running (max, sum) of exp of logits, and the best class.
  std::vector<double> run_max(parts * B, -std::numeric_limits<double>::infinity()), run_sum(parts * B, 0.0);
  std::vector<float> best_cos(parts * B, -std::numeric_limits<float>::infinity());
  std::vector<int64_t> best_cls(parts * B, -1);
  std::vector<float> target_cos(B, 0.0f);
  std::vector<char> part_finite(parts, 1);
  parallel_for(parts, threads, [&](int p) {
    Scratch& sc = scratch[p];
    size_t t0, t1;
    split_range(tiles.count, parts, p, &t0, &t1);
    bool finite = true;
    for (size_t t = t0; t < t1; ++t) {
      size_t c0, nc;
      tiles.range(t, &c0, &nc);
      const size_t nr = nc * K;
      float* raw = tile_raw(sc, c0);
      const float* iw = tile_iw(sc, c0);
      products(tile_w(sc, c0, nc), nr, raw, tile_iw(sc, c0), &finite);
      for (size_t i = 0; i < B; ++i) {
        const int32_t y = pr.labels[i];
        if (y < 0) continue;
        float* cc = sc.cc.data();
        ops.class_cos(raw + i * nr, iw, nc, K, inv_x[i], cc, nullptr);
        const float mx = ops.max(cc, nc);
        const size_t pi = p * B + i;
        if (mx > best_cos[pi]) {
          size_t c = 0;
          while (c + 1 < nc && cc[c] != mx) ++c;
          best_cos[pi] = mx;
          best_cls[pi] = static_cast<int64_t>(c0 + c);
        }
        float shift_cos = mx;
        if (static_cast<size_t>(y) >= c0 && static_cast<size_t>(y) < c0 + nc) {
          const float t_cos = cc[y - c0];
          double unused;
          target_cos[i] = t_cos;
          cc[y - c0] = static_cast<float>(margin_target(t_cos, params, &unused));
          shift_cos = std::max(mx, cc[y - c0]);
        }
        // shift_cos bounds every cosine of the tile, so no exp overflows.
        const double shift = static_cast<double>(s) * shift_cos;
        const double sum = ops.exp_scale(cc, nc, s, static_cast<float>(shift), 1.0f);
        double& m = run_max[pi];
        double& acc = run_sum[pi];
        if (shift > m) {
          acc = acc * std::exp(m - shift) + sum;
          m = shift;
        } else {
          acc += sum * std::exp(shift - m);
        }
      }
    }
    part_finite[p] = finite;
  });
  for (char f : part_finite)
    if (!f) return Status::kNonFinite;

  // Merge the parts in class order: log-sum-exp, loss and accuracy per row.
  std::vector<double> lse(B, 0.0);
  double loss = 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < B; ++i) {
    if (pr.labels[i] < 0) continue;
    double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
    float bc = -std::numeric_limits<float>::infinity();
    int64_t bi = -1;
    for (int p = 0; p < parts; ++p) m = std::max(m, run_max[p * B + i]);
    for (int p = 0; p < parts; ++p) {
      sum += run_sum[p * B + i] * std::exp(run_max[p * B + i] - m);
      if (best_cos[p * B + i] > bc) bc = best_cos[p * B + i], bi = best_cls[p * B + i];
    }
    lse[i] = m + std::log(sum);
    double unused;
    const double zy = params.s * margin_target(target_cos[i], params, &unused);
    loss += lse[i] - zy;
    correct += bi == pr.labels[i] ? 1 : 0;
    if (!std::isfinite(lse[i]) || !std::isfinite(zy)) return Status::kNonFinite;
  }
  result->loss = loss / static_cast<double>(n);
  result->accuracy = static_cast<double>(correct) / static_cast<double>(n);
  if (!grad_x && !grad_w) return Status::kOk;

  // Pass 2: G = dL/dcos per tile; dX-hat accumulates per part, dW rows are written per tile.
  std::vector<float> x_hat;
  if (grad_w) {
    x_hat.resize(B * d);
    for (size_t i = 0; i < B; ++i)
      for (size_t k = 0; k < d; ++k) x_hat[i * d + k] = pr.x[i * d + k] * inv_x[i];
  }
  std::vector<float> dx_parts;
  if (grad_x && parts > 1) dx_parts.assign((parts - 1) * B * d, 0.0f);
  const float coef = static_cast<float>(params.s / static_cast<double>(n));
  parallel_for(parts, threads, [&](int p) {
    Scratch& sc = scratch[p];
    if (grad_x) sc.scaled.resize(B * tile_rows);
    float* dx = !grad_x ? nullptr : p == 0 ? grad_x : dx_parts.data() + (p - 1) * B * d;
    size_t t0, t1;
    split_range(tiles.count, parts, p, &t0, &t1);
    bool finite = true;
    for (size_t t = t0; t < t1; ++t) {
      size_t c0, nc;
      tiles.range(t, &c0, &nc);
      const float* rows = tile_w(sc, c0, nc);
      const size_t nr = nc * K;
      float* raw = tile_raw(sc, c0);
      float* iw = tile_iw(sc, c0);
      if (!cache) products(rows, nr, raw, iw, &finite);
      for (size_t i = 0; i < B; ++i) {
        float* g = raw + i * nr;
        float* gs = grad_x ? sc.scaled.data() + i * nr : nullptr;
        const int32_t y = pr.labels[i];
        if (y < 0) {
          std::memset(g, 0, nr * sizeof(float));
          if (gs) std::memset(gs, 0, nr * sizeof(float));
          continue;
        }
        float* cc = sc.cc.data();
        int32_t* karg = sc.karg.data();
        ops.class_cos(g, iw, nc, K, inv_x[i], cc, K > 1 ? karg : nullptr);
        // dL/dz = (p - [c = y]) / n and dz/dcos = s: g = s p / n for every class but the target.
        ops.exp_scale(cc, nc, s, static_cast<float>(lse[i]), coef);
        if (static_cast<size_t>(y) >= c0 && static_cast<size_t>(y) < c0 + nc) {
          double fp;
          const double zy = params.s * margin_target(target_cos[i], params, &fp);
          cc[y - c0] = static_cast<float>(params.s * fp * (std::exp(zy - lse[i]) - 1.0) / static_cast<double>(n));
        }
        if (K == 1) {
          std::memcpy(g, cc, nc * sizeof(float));
          if (gs)
            for (size_t c = 0; c < nc; ++c) gs[c] = cc[c] * iw[c];
        } else {
          std::memset(g, 0, nr * sizeof(float));
          if (gs) std::memset(gs, 0, nr * sizeof(float));
          for (size_t c = 0; c < nc; ++c) {
            const size_t j = c * K + karg[c];
            g[j] = cc[c];
            if (gs) gs[j] = cc[c] * iw[j];
          }
        }
      }
      // dX-hat += (G / |w|) . W_tile; dW-hat_tile = G^T . X-hat, then through w / |w|.
      if (dx) ops.gemm(sc.scaled.data(), nr, 1, B, nr, rows, d, d, dx, d, true);
      if (grad_w) {
        float* gw = grad_w + c0 * K * d;
        ops.gemm(raw, 1, nr, nr, B, x_hat.data(), d, d, gw, d, false);
        ops.project(rows, nr, d, iw, gw);
      }
    }
  });
  if (grad_x) {
    for (int p = 1; p < parts; ++p) {
      const float* part = dx_parts.data() + (p - 1) * B * d;
      for (size_t k = 0; k < B * d; ++k) grad_x[k] += part[k];
    }
    ops.project(pr.x, B, d, inv_x.data(), grad_x);
  }
  return Status::kOk;
}

void margin_gemms_probe(const float* x, size_t batch, const float* w, size_t classes, size_t subcenters, size_t dim,
                        bool recompute, float* grad_x, float* grad_w, int threads) {
  const size_t B = batch, d = dim, K = subcenters;
  std::memset(grad_x, 0, B * d * sizeof(float));
  if (B == 0 || classes == 0) return;
  const auto& ops = detail::margin_ops();
  const auto dot = detail::dot_block();
  Tiles tiles{detail::margin_tile_classes(d, K), 0, classes};
  tiles.count = (classes + tiles.classes_per_tile - 1) / tiles.classes_per_tile;
  const int parts = static_cast<int>(std::min<size_t>(std::max(threads, 1), tiles.count));
  const size_t tile_rows = tiles.classes_per_tile * K;
  std::vector<float> dx_parts((parts - 1) * B * d, 0.0f);
  parallel_for(parts, threads, [&](int p) {
    std::vector<float> tile(B * tile_rows), gsq(tile_rows);
    float* dx = p == 0 ? grad_x : dx_parts.data() + (p - 1) * B * d;
    size_t t0, t1;
    split_range(tiles.count, parts, p, &t0, &t1);
    for (size_t t = t0; t < t1; ++t) {
      size_t c0, nc;
      tiles.range(t, &c0, &nc);
      const size_t nr = nc * K;
      const float* rows = w + c0 * K * d;
      dot(x, B, rows, nr, d, tile.data(), nr, gsq.data());
      if (recompute) dot(x, B, rows, nr, d, tile.data(), nr, gsq.data());
      ops.gemm(tile.data(), nr, 1, B, nr, rows, d, d, dx, d, true);
      ops.gemm(tile.data(), 1, nr, nr, B, x, d, d, grad_w + c0 * K * d, d, false);
    }
  });
  for (int p = 1; p < parts; ++p)
    for (size_t k = 0; k < B * d; ++k) grad_x[k] += dx_parts[(p - 1) * B * d + k];
}

}  // namespace facecore
