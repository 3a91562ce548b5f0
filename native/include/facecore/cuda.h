// CUDA kernels (built only with -DFACECORE_CUDA=ON). Same conventions as the CPU kernels:
// host pointers in, results out, a status instead of exceptions.
#pragma once

namespace facecore::cuda {

// CUDA devices visible to this process; 0 when there is no GPU or no driver.
int device_count();

}  // namespace facecore::cuda
