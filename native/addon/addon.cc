#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace facecore::addon;
  InitCpu(env, exports);
  InitSimilarity(env, exports);
  InitWarp(env, exports);
  InitMargin(env, exports);
  InitIndex(env, exports);
  InitFile(env, exports);
  InitQuality(env, exports);
  InitKnn(env, exports);
  InitIvf(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(facecore, Init)
