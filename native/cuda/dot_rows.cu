// The first CUDA kernel: row-wise dot products, one block per row with a shared-memory
// tree reduction. It proves the nvcc build path; bigger kernels follow its shape.
#include <cuda_runtime.h>

#include "facecore/cuda.h"

namespace facecore::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void dot_rows_kernel(const float* a, const float* b, size_t dim, float* out) {
  __shared__ float partial[kThreads];
  const size_t row = blockIdx.x;
  float sum = 0.0f;
  for (size_t k = threadIdx.x; k < dim; k += kThreads) sum += a[row * dim + k] * b[row * dim + k];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[row] = partial[0];
}

}  // namespace

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

bool dot_rows(const float* a, const float* b, size_t n, size_t dim, float* out) {
  if (n == 0) return true;
  if (device_count() == 0) return false;
  const size_t bytes = n * dim * sizeof(float);
  float *da = nullptr, *db = nullptr, *dout = nullptr;
  bool ok = cudaMalloc(&da, bytes) == cudaSuccess && cudaMalloc(&db, bytes) == cudaSuccess &&
            cudaMalloc(&dout, n * sizeof(float)) == cudaSuccess &&
            cudaMemcpy(da, a, bytes, cudaMemcpyHostToDevice) == cudaSuccess &&
            cudaMemcpy(db, b, bytes, cudaMemcpyHostToDevice) == cudaSuccess;
  if (ok) {
    dot_rows_kernel<<<static_cast<unsigned>(n), kThreads>>>(da, db, dim, dout);
    ok = cudaGetLastError() == cudaSuccess &&
         cudaMemcpy(out, dout, n * sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess;
  }
  cudaFree(da);
  cudaFree(db);
  cudaFree(dout);
  return ok;
}

}  // namespace facecore::cuda
