// ISA and thread-pool introspection: which kernel variant runs, and forcing one (tests).
#include "args.h"
#include "bindings.h"
#include "facecore/cpu_features.h"
#include "facecore/machine_limits.h"
#include "facecore/parallel.h"
#if defined(FACECORE_CUDA)
#include "facecore/cuda.h"
#endif

namespace facecore::addon {
namespace {

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(active_isa()));
}

Napi::Value DetectedIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(detected_isa()));
}

// kernelIsas() -> { general, i8Dot, crc32c }: the ISA each kernel family runs now.
Napi::Value KernelIsas(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("general", isa_name(active_isa(Kernel::kGeneral)));
  out.Set("i8Dot", isa_name(active_isa(Kernel::kI8Dot)));
  out.Set("crc32c", isa_name(active_isa(Kernel::kCrc32c)));
  return out;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  expect_args(info, 1, "setIsa");
  if (!info[0].IsString()) throw_type(info.Env(), "isa: expected 'scalar' | 'avx2' | 'avx512', got " + describe(info[0]));
  const std::string name = info[0].As<Napi::String>();
  Isa isa;
  if (!parse_isa(name.c_str(), &isa))
    throw_range(info.Env(), "isa: expected 'scalar' | 'avx2' | 'avx512', got '" + name + "'");
  return Napi::String::New(info.Env(), isa_name(set_isa(isa)));
}

Napi::Value DefaultThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), default_threads());
}

// Number of CUDA devices, or null when the addon was built without CUDA.
Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
#if defined(FACECORE_CUDA)
  return Napi::Number::New(info.Env(), cuda::device_count());
#else
  return info.Env().Null();
#endif
}

// measureReadBandwidth(data: Float32Array, threads) -> bytes/s (benchmarks only).
Napi::Value MeasureReadBandwidth(const Napi::CallbackInfo& info) {
  expect_args(info, 2, "measureReadBandwidth");
  const auto data = typed_array<float>(info[0], "data");
  const int threads = static_cast<int>(size_arg(info[1], "threads", 1, 1024));
  return Napi::Number::New(info.Env(), measure_read_bandwidth(data.data, data.length, threads));
}

// measureFmaPeak(threads, seconds) -> FLOP/s (benchmarks only).
Napi::Value MeasureFmaPeak(const Napi::CallbackInfo& info) {
  expect_args(info, 2, "measureFmaPeak");
  const int threads = static_cast<int>(size_arg(info[0], "threads", 1, 1024));
  const double seconds = number_arg(info[1], "seconds");
  if (seconds <= 0 || seconds > 10) throw_range(info.Env(), "seconds: expected a number in (0, 10], got " + std::to_string(seconds));
  return Napi::Number::New(info.Env(), measure_fma_peak(threads, seconds));
}

}  // namespace

void InitCpu(Napi::Env env, Napi::Object exports) {
  exports.Set("getIsa", Napi::Function::New(env, GetIsa));
  exports.Set("detectedIsa", Napi::Function::New(env, DetectedIsa));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("kernelIsas", Napi::Function::New(env, KernelIsas));
  exports.Set("defaultThreads", Napi::Function::New(env, DefaultThreads));
  exports.Set("measureReadBandwidth", Napi::Function::New(env, MeasureReadBandwidth));
  exports.Set("measureFmaPeak", Napi::Function::New(env, MeasureFmaPeak));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
}

}  // namespace facecore::addon
