// Argument unpacking for the bindings: every typed array and number is checked here,
// so kernels only ever see sizes that match their buffers.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

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

// A binding's one argument: a named options object, unpacked field by field into a baton
// (sharp's model). Each read applies the checks above, and its message names the field.
// Every object read is remembered, so an async job keeps exactly those alive (even if JS
// reassigns the field meanwhile).
class Options {
 public:
  Options(const Napi::CallbackInfo& info, const char* fn) : env_(info.Env()) {
    const Napi::Value v = info.Length() > 0 ? info[0] : info.Env().Undefined();
    if (!v.IsObject() || v.IsArray() || v.IsTypedArray() || v.IsFunction())
      throw_type(env_, std::string(fn) + ": expected one options object, got " + describe(v));
    obj_ = v.As<Napi::Object>();
  }

  Napi::Env env() const { return env_; }
  Napi::Value get(const char* key) const {
    Napi::Value v = obj_.Get(key);
    if (v.IsObject()) read_.push_back(v);
    return v;
  }
  // Present: neither undefined nor null.
  bool has(const char* key) const {
    const Napi::Value v = obj_.Get(key);
    return !v.IsUndefined() && !v.IsNull();
  }

  template <typename T>
  ArrayView<T> array(const char* key) const { return typed_array<T>(get(key), key); }
  // A typed array of at least `need` elements.
  template <typename T>
  ArrayView<T> array(const char* key, size_t need) const {
    const ArrayView<T> a = array<T>(key);
    if (a.length < need)
      throw_range(env_, std::string(key) + ": expected a " + typed_array_name(typed_array_kind<T>()) + " of at least " +
                            std::to_string(need) + " elements, got " + std::to_string(a.length));
    return a;
  }
  // Empty (data null) when the field is undefined or null.
  template <typename T>
  ArrayView<T> optional_array(const char* key, size_t need = 0) const {
    return has(key) ? array<T>(key, need) : ArrayView<T>{};
  }

  size_t size(const char* key, double min, double max) const { return size_arg(get(key), key, min, max); }
  double number(const char* key) const { return number_arg(get(key), key); }
  bool flag(const char* key) const {
    const Napi::Value v = get(key);
    if (!v.IsBoolean()) throw_type(env_, std::string(key) + ": expected a boolean, got " + describe(v));
    return v.As<Napi::Boolean>().Value();
  }
  // A score floor that may be -Infinity; NaN or +Infinity is a RangeError. Absent: `absent`.
  float floor_or(const char* key, float absent) const {
    if (!has(key)) return absent;
    const Napi::Value v = get(key);
    if (!v.IsNumber()) throw_type(env_, std::string(key) + ": expected a number, got " + describe(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d) || d == INFINITY)
      throw_range(env_, std::string(key) + ": expected a number below Infinity, got " + std::to_string(d));
    // The smallest float >= d: float scores pass exactly when they are >= d as numbers.
    float f = static_cast<float>(d);
    if (static_cast<double>(f) < d) f = std::nextafter(f, INFINITY);
    return f;
  }

  // Holds the options object and every object read from it until an async job ends.
  void keep(KeepAlive* keep) const {
    if (!keep) return;
    keep->hold(obj_);
    for (const auto& v : read_) keep->hold(v);
  }

 private:
  Napi::Env env_;
  Napi::Object obj_;
  mutable std::vector<Napi::Value> read_;
};

// Throws unless the byte ranges of two views are disjoint: an output that overlaps an input
// would be read after it was written.
template <typename A, typename B>
void expect_disjoint(Napi::Env env, const char* a_name, ArrayView<A> a, const char* b_name, ArrayView<B> b) {
  const auto a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  const uintptr_t a1 = a0 + a.length * sizeof(A), b1 = b0 + b.length * sizeof(B);
  if (a.length && b.length && a0 < b1 && b0 < a1)
    throw_range(env, std::string(a_name) + ": expected memory that does not overlap " + b_name + ", got overlapping views");
}

}  // namespace facecore::addon
