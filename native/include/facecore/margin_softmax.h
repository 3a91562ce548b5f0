// Softmax cross-entropy with an additive/multiplicative angular margin (ArcFace, CosFace,
// combined margin), sub-centres and Partial FC, forward and backward. See docs/margin.md for
// the formulas and the derivative convention.
//
// Memory: the kernel walks the classes in tiles, twice (pass 1: online log-sum-exp per row;
// pass 2: gradients), so it never holds more than batch x (tile of classes) logits per thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "facecore/similarity.h"  // Status

namespace facecore {

struct MarginParams {
  double s = 64.0;   // logit scale
  double m1 = 1.0;   // multiplicative angular margin
  double m2 = 0.5;   // additive angular margin
  double m3 = 0.0;   // additive cosine margin
};

struct MarginProblem {
  const float* x = nullptr;  // batch x dim embeddings (row-major)
  size_t batch = 0, dim = 0;
  const float* w = nullptr;  // classes * subcenters x dim weights; row c * K + k is centre k of class c
  size_t classes = 0, subcenters = 1;
  // Labels in the class space the kernel sees: [0, classes), or [0, n_active) when `active`
  // is set; -1 ignores the row.
  const int32_t* labels = nullptr;
  // Partial FC: the classes to compute on (distinct, each < classes), or null for all.
  const int32_t* active = nullptr;
  size_t n_active = 0;
};

struct MarginResult {
  double loss = 0;      // mean over counted rows (0 when none)
  double accuracy = 0;  // fraction of counted rows whose highest cosine class is the label
  size_t counted = 0;   // rows with a label != -1
};

// grad_x: batch x dim, or null; grad_w: (active rows) x dim (n_active * K rows in the order of
// `active`, or classes * K), or null. With both null only the forward pass runs.
// Returns kNonFinite if an input holds NaN/Inf (or a product overflows float32).
Status margin_softmax(const MarginProblem& problem, const MarginParams& params, float* grad_x, float* grad_w,
                      MarginResult* result, int threads);

// The target-logit margin in cosine units: f(t) = cos(m1 * acos(t) + m2) - m3, with
// insightface's fallback where m1 * theta + m2 > pi; *derivative receives df/dt.
double margin_target(double t, const MarginParams& params, double* derivative);

// Benchmarks only: the matrix products margin_softmax needs, with its tiling and threads but
// no softmax or normalisation: per tile S = X . W_tile^T, dX += S . W_tile, dW_tile = S^T . X
// (and S once more when `recompute`, as pass 2 does). grad_x: batch x dim; grad_w: like w.
void margin_gemms_probe(const float* x, size_t batch, const float* w, size_t classes, size_t subcenters, size_t dim,
                        bool recompute, float* grad_x, float* grad_w, int threads);

namespace detail {

// Per-ISA pieces of the margin kernel (margin_ops_<isa>.cc).
struct MarginOps {
  // c (m x n, row stride ldc) (+)= A (m x kk) . b (kk x n, row stride ldb), with
  // A(r, q) = a[r * ars + q * acs]. `accumulate` false overwrites c.
  void (*gemm)(const float* a, size_t ars, size_t acs, size_t m, size_t kk, const float* b, size_t ldb, size_t n,
               float* c, size_t ldc, bool accumulate);
  // cc[c] = max over k < K of clamp(raw[c * K + k] * ix * iw[c * K + k], -1, 1); karg[c] = that k
  // (lowest on ties; karg may be null when K == 1).
  void (*class_cos)(const float* raw, const float* iw, size_t nc, size_t K, float ix, float* cc, int32_t* karg);
  // Largest value of v[0..n) (n >= 1).
  float (*max)(const float* v, size_t n);
  // v[i] = mult * exp(scale * v[i] - shift); returns the float sum of the new values.
  float (*exp_scale)(float* v, size_t n, float scale, float shift, float mult);
  // g[r] = inv[r] * (g[r] - u (u . g[r])) with u = inv[r] * v[r]: the gradient through
  // v / |v| for each of `rows` rows of length dim.
  void (*project)(const float* v, size_t rows, size_t dim, const float* inv, float* g);
};

const MarginOps& margin_ops_scalar();
const MarginOps& margin_ops_avx2();
const MarginOps& margin_ops_avx512();
// The variant for the active ISA.
const MarginOps& margin_ops();

// Class tile: rows of W per tile (a multiple of K) so a tile stays in L2.
size_t margin_tile_classes(size_t dim, size_t subcenters);

// Pass 1 keeps the B x (C K) products for pass 2 (sparing it a second X . W^T) while they fit
// in this many bytes (64 MiB); above that, pass 2 recomputes them tile by tile. Tests lower it.
size_t& margin_cache_bytes();

}  // namespace detail
}  // namespace facecore
