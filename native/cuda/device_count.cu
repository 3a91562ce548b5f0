// CUDA device discovery: what the addon's cudaDeviceCount reports. It is also the one source
// the FACECORE_CUDA build compiles, so that build path keeps working until kernels join it.
#include <cuda_runtime.h>

#include "facecore/cuda.h"

namespace facecore::cuda {

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

}  // namespace facecore::cuda
