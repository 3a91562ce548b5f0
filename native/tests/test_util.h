// Shared helpers for the C++ kernel tests: seeded random data and the ISAs this CPU runs.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "facecore/cpu_features.h"

namespace facecore::testing {

inline std::vector<float> random_rows(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n * dim);
  for (auto& x : v) x = u(rng);
  return v;
}

// Small integers: every dot product is exact in float32, so scores and ties are exact.
inline std::vector<float> integer_rows(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(-4, 4);
  std::vector<float> v(n * dim);
  for (auto& x : v) x = static_cast<float>(u(rng));
  return v;
}

inline std::vector<Isa> supported_isas() {
  std::vector<Isa> out{Isa::kScalar};
  if (static_cast<int>(detected_isa()) >= static_cast<int>(Isa::kAvx2)) out.push_back(Isa::kAvx2);
  if (detected_isa() == Isa::kAvx512) out.push_back(Isa::kAvx512);
  return out;
}

// Restores the process ISA when a test ends.
struct IsaScope {
  Isa saved = active_isa();
  explicit IsaScope(Isa isa) { set_isa(isa); }
  ~IsaScope() { set_isa(saved); }
};

}  // namespace facecore::testing
