// Pins the memory of the typed arrays an async job reads and writes. KeepAlive's references
// keep the JS objects alive, but not their memory: transferring an ArrayBuffer (postMessage,
// structuredClone) detaches it and hands the memory to a new owner, who may free it while the
// job still runs. Holding V8's BackingStore (a shared_ptr) keeps that memory alive for the job,
// shared with whoever owns it next; no copy. N-API has no such call, so this is the one place
// the addon uses V8 directly (a napi_value is a v8::Local<v8::Value> in Node's implementation).
#pragma once

#include <napi.h>
#include <v8.h>

#include <cstring>
#include <memory>
#include <vector>

namespace facecore::addon {

class BackingStorePins {
 public:
  // Pins the memory behind a typed array, DataView or ArrayBuffer; other values are ignored.
  void pin(const Napi::Value& value) {
    const v8::Local<v8::Value> v = to_v8(value);
    if (v->IsArrayBufferView()) stores_.push_back(v.As<v8::ArrayBufferView>()->Buffer()->GetBackingStore());
    else if (v->IsArrayBuffer()) stores_.push_back(v.As<v8::ArrayBuffer>()->GetBackingStore());
  }

 private:
  static v8::Local<v8::Value> to_v8(napi_value v) {
    static_assert(sizeof(v8::Local<v8::Value>) == sizeof(napi_value), "napi_value is a v8::Local in Node");
    v8::Local<v8::Value> local;
    std::memcpy(static_cast<void*>(&local), &v, sizeof v);
    return local;
  }

  std::vector<std::shared_ptr<v8::BackingStore>> stores_;
};

// True when `v` is a typed array whose ArrayBuffer was transferred away (it reads as empty).
inline bool is_detached_view(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().ArrayBuffer().IsDetached();
}

}  // namespace facecore::addon
