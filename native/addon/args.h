// Argument unpacking for the bindings: every typed array and number is checked here,
// so kernels only ever see sizes that match their buffers.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "pin.h"

namespace facecore::addon {

template <typename T>
struct ArrayView {
  T* data = nullptr;
  size_t length = 0;  // elements
};

[[noreturn]] inline void throw_type(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] inline void throw_range(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

inline const char* typed_array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "typed array";
  }
}

inline std::string describe(const Napi::Value& v) {
  if (v.IsTypedArray()) return typed_array_name(v.As<Napi::TypedArray>().TypedArrayType());
  if (v.IsArray()) return "Array";
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsBoolean()) return "boolean";
  return "object";
}

template <typename T>
constexpr napi_typedarray_type typed_array_kind();
template <> constexpr napi_typedarray_type typed_array_kind<float>() { return napi_float32_array; }
template <> constexpr napi_typedarray_type typed_array_kind<double>() { return napi_float64_array; }
template <> constexpr napi_typedarray_type typed_array_kind<int32_t>() { return napi_int32_array; }
template <> constexpr napi_typedarray_type typed_array_kind<uint8_t>() { return napi_uint8_array; }
template <> constexpr napi_typedarray_type typed_array_kind<int8_t>() { return napi_int8_array; }
template <> constexpr napi_typedarray_type typed_array_kind<uint16_t>() { return napi_uint16_array; }

// A typed array of element type T, used in place (no copy).
template <typename T>
ArrayView<T> typed_array(const Napi::Value& v, const char* name) {
  const char* want = typed_array_name(typed_array_kind<T>());
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != typed_array_kind<T>())
    throw_type(v.Env(), std::string(name) + ": expected a " + want + ", got " + describe(v));
  if (is_detached_view(v)) throw_type(v.Env(), std::string(name) + ": expected a " + want + " with live memory, got one whose ArrayBuffer was detached (transferred)");
  auto arr = v.As<Napi::TypedArrayOf<T>>();
  return {arr.Data(), arr.ElementLength()};
}

// A non-negative integer that fits in size_t and below `max`.
inline size_t size_arg(const Napi::Value& v, const char* name, double min, double max) {
  if (!v.IsNumber()) throw_type(v.Env(), std::string(name) + ": expected an integer, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < min || d > max)
    throw_range(v.Env(), std::string(name) + ": expected an integer in [" + std::to_string(static_cast<long long>(min)) +
                             ", " + std::to_string(static_cast<long long>(max)) + "], got " + std::to_string(d));
  return static_cast<size_t>(d);
}

inline double number_arg(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throw_type(v.Env(), std::string(name) + ": expected a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw_range(v.Env(), std::string(name) + ": expected a finite number, got " + std::to_string(d));
  return d;
}

inline void expect_args(const Napi::CallbackInfo& info, size_t n, const char* fn) {
  if (info.Length() < n)
    throw_type(info.Env(), std::string(fn) + ": expected " + std::to_string(n) + " arguments, got " +
                               std::to_string(info.Length()));
}

// Keeps JS values (the input and output arrays) alive while an AsyncWorker runs.
class KeepAlive {
 public:
  void hold(const Napi::Value& v) { refs_.push_back(Napi::Persistent(v.As<Napi::Object>())); pins_.pin(v); }
  // Holds every object argument of a call (the typed arrays a job reads and writes).
  void hold_objects(const Napi::CallbackInfo& info) {
    for (size_t i = 0; i < info.Length(); ++i)
      if (info[i].IsObject()) hold(info[i]);
  }

 private:
  std::vector<Napi::ObjectReference> refs_;
  BackingStorePins pins_;  // their memory, even if JS detaches them meanwhile
};

}  // namespace facecore::addon
