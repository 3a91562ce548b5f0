// CUDA kernels (built only with -DFACECORE_CUDA=ON). Same conventions as the CPU kernels:
// host pointers in, results out, a status instead of exceptions.
#pragma once

#include <cstddef>

namespace facecore::cuda {

// CUDA devices visible to this process; 0 when there is no GPU or no driver.
int device_count();

// out[i] = a_i . b_i for n row pairs of `dim` floats, computed on the first GPU.
// Returns false (and leaves out untouched) when no device is usable.
bool dot_rows(const float* a, const float* b, size_t n, size_t dim, float* out);

}  // namespace facecore::cuda
