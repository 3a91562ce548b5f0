// Turns a kernel's kNonFinite status into a message naming the culprit. Runs only on the
// error path, so the hot path never scans its inputs.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

namespace facecore::addon {

struct NamedRows {
  const char* name;
  const float* data;
  size_t length;
};

inline std::string non_finite_message(std::initializer_list<NamedRows> inputs, size_t dim) {
  for (const auto& in : inputs)
    for (size_t i = 0; i < in.length; ++i)
      if (!std::isfinite(in.data[i]))
        return std::string(in.name) + ": expected finite values, got " + (std::isnan(in.data[i]) ? "NaN" : "Infinity") +
               " at index " + std::to_string(i) + " (row " + std::to_string(i / dim) + ", column " +
               std::to_string(i % dim) + ")";
  return "inputs: expected values whose products fit in float32, got an overflow to Infinity (values too large)";
}

}  // namespace facecore::addon
