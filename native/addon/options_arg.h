// One named options object per binding call (sharp's baton model): each field is read and
// checked by name, so a message names the field and what came.
#pragma once

#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "args.h"

namespace facecore::addon {

class OptionsArg {
 public:
  OptionsArg(const Napi::CallbackInfo& info, const char* fn) : env_(info.Env()) {
    if (info.Length() < 1 || !info[0].IsObject() || info[0].IsTypedArray() || info[0].IsArray())
      throw_type(env_, std::string(fn) + ": expected an options object, got " +
                           (info.Length() < 1 ? std::string("nothing") : describe(info[0])));
    obj_ = info[0].As<Napi::Object>();
  }

  // Every object read is remembered, so hold() can keep it alive even if JS reassigns the field.
  Napi::Value get(const char* key) const {
    Napi::Value v = obj_.Get(key);
    if (v.IsObject()) read_.push_back(v);
    return v;
  }
  bool has(const char* key) const {
    const Napi::Value v = obj_.Get(key);
    return !v.IsUndefined() && !v.IsNull();
  }
  template <typename T>
  ArrayView<T> array(const char* key) const { return typed_array<T>(get(key), key); }
  size_t size(const char* key, double min, double max) const { return size_arg(get(key), key, min, max); }
  double number(const char* key) const { return number_arg(get(key), key); }
  // A number that may be -Infinity (a score floor); NaN or +Infinity is a RangeError.
  float floor_or(const char* key, float absent) const {
    if (!has(key)) return absent;
    const Napi::Value v = get(key);
    if (!v.IsNumber()) throw_type(env_, std::string(key) + ": expected a number, got " + describe(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d) || d == INFINITY) throw_range(env_, std::string(key) + ": expected a number below Infinity, got " + std::to_string(d));
    // The smallest float >= d: float scores pass exactly when they are >= d as numbers.
    float f = static_cast<float>(d);
    if (static_cast<double>(f) < d) f = std::nextafter(f, INFINITY);
    return f;
  }
  bool flag(const char* key) const {
    const Napi::Value v = get(key);
    if (!v.IsBoolean()) throw_type(env_, std::string(key) + ": expected a boolean, got " + describe(v));
    return v.As<Napi::Boolean>().Value();
  }
  // Keeps the object and every array read from it alive while a worker runs.
  void hold(KeepAlive* keep) const {
    if (!keep) return;
    keep->hold(obj_);
    for (const auto& v : read_) keep->hold(v);
  }
  Napi::Env env() const { return env_; }

 private:
  Napi::Env env_;
  Napi::Object obj_;
  mutable std::vector<Napi::Value> read_;
};

}  // namespace facecore::addon
