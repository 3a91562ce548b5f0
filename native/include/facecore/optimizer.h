// In-place optimizer updates of weight rows (MarginHead's SGD and AdamW): memory-bound loops,
// split over rows on the shared pool.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore {

enum class OptimizerKind : int { kSgd = 0, kAdamW = 1 };

struct OptimizerParams {
  OptimizerKind kind = OptimizerKind::kSgd;
  float lr = 0.1f;
  float momentum = 0.0f;      // SGD: v = momentum v + g + wd w; w -= lr v (no buffer when state0 is null)
  float weight_decay = 0.0f;  // SGD: coupled (added to g); AdamW: decoupled (w -= lr wd w)
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float bias1 = 1.0f, bias2 = 1.0f;  // AdamW: 1 - beta1^t, 1 - beta2^t
};

// For a < n_rows: row rows[a] (or a when rows is null) of w (and of the state buffers) is
// updated with gradient row a of g; rows are row_length floats. SGD uses state0 as its momentum
// buffer (null: plain SGD); AdamW uses state0 / state1 as its first / second moments.
void optimizer_step(float* w, float* state0, float* state1, const float* g, const int32_t* rows, size_t n_rows,
                    size_t row_length, const OptimizerParams& params, int threads);

}  // namespace facecore
