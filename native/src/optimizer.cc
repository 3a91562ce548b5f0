#include "facecore/optimizer.h"

#include <algorithm>
#include <cmath>

#include "facecore/parallel.h"

namespace facecore {
namespace {

void sgd(float* w, float* buf, const float* g, size_t n, const OptimizerParams& p) {
  const float lr = p.lr, wd = p.weight_decay, mom = p.momentum;
  if (!buf) {
    for (size_t q = 0; q < n; ++q) w[q] -= lr * (g[q] + wd * w[q]);
    return;
  }
  for (size_t q = 0; q < n; ++q) {
    const float v = mom * buf[q] + g[q] + wd * w[q];
    buf[q] = v;
    w[q] -= lr * v;
  }
}

void adamw(float* w, float* m, float* v, const float* g, size_t n, const OptimizerParams& p) {
  const float b1 = p.beta1, b2 = p.beta2, inv1 = 1.0f / p.bias1, inv2 = 1.0f / p.bias2;
  for (size_t q = 0; q < n; ++q) {
    const float mq = b1 * m[q] + (1.0f - b1) * g[q];
    const float vq = b2 * v[q] + (1.0f - b2) * g[q] * g[q];
    m[q] = mq;
    v[q] = vq;
    w[q] -= p.lr * (mq * inv1 / (std::sqrt(vq * inv2) + p.eps) + p.weight_decay * w[q]);
  }
}

}  // namespace

void optimizer_step(float* w, float* state0, float* state1, const float* g, const int32_t* rows, size_t n_rows,
                    size_t row_length, const OptimizerParams& params, int threads) {
  if (n_rows == 0) return;
  // ~256 KiB of weights per task: enough work to amortise scheduling, enough tasks to balance.
  const size_t per_task = std::max<size_t>(1, (64 * 1024) / std::max<size_t>(row_length, 1));
  const int tasks = static_cast<int>((n_rows + per_task - 1) / per_task);
  parallel_for(tasks, threads, [&](int t) {
    const size_t a0 = t * per_task, a1 = std::min(n_rows, a0 + per_task);
    for (size_t a = a0; a < a1; ++a) {
      const size_t off = (rows ? static_cast<size_t>(rows[a]) : a) * row_length;
      const float* ga = g + a * row_length;
      if (params.kind == OptimizerKind::kAdamW) adamw(w + off, state0 + off, state1 + off, ga, row_length, params);
      else sgd(w + off, state0 ? state0 + off : nullptr, ga, row_length, params);
    }
  });
}

}  // namespace facecore
