// One Init function per kernel family; addon.cc calls them all.
#pragma once

#include <napi.h>

namespace facecore::addon {

void InitCpu(Napi::Env env, Napi::Object exports);
void InitSimilarity(Napi::Env env, Napi::Object exports);
void InitWarp(Napi::Env env, Napi::Object exports);
void InitMargin(Napi::Env env, Napi::Object exports);
void InitIndex(Napi::Env env, Napi::Object exports);
void InitFile(Napi::Env env, Napi::Object exports);
void InitQuality(Napi::Env env, Napi::Object exports);
void InitKnn(Napi::Env env, Napi::Object exports);
void InitIvf(Napi::Env env, Napi::Object exports);

}  // namespace facecore::addon
