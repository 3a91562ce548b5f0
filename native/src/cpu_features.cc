#include "facecore/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(FACECORE_X86)
#include <cpuid.h>
#endif

namespace facecore {
namespace {

#if defined(FACECORE_X86)
unsigned long long xgetbv0() {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Isa probe() {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return Isa::kScalar;
  const bool osxsave = c & (1u << 27), fma = c & (1u << 12), f16c = c & (1u << 29);
  if (!osxsave) return Isa::kScalar;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return Isa::kScalar;
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512bw = b & (1u << 30),
             avx512vl = b & (1u << 31), avx512vnni = c & (1u << 11);
  // AVX-512 variants may use BF16 as well; it is reported in leaf 7 sub-leaf 1.
  bool avx512bf16 = false;
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) avx512bf16 = a & (1u << 5);
  if (ymm_state && zmm_state && avx2 && fma && f16c && avx512f && avx512dq && avx512bw && avx512vl &&
      avx512vnni && avx512bf16)
    return Isa::kAvx512;
  if (ymm_state && avx2 && fma && f16c) return Isa::kAvx2;
  return Isa::kScalar;
}
#else
Isa probe() { return Isa::kScalar; }
#endif

Isa clamp(Isa want) {
  const Isa best = detected_isa();
  return static_cast<int>(want) > static_cast<int>(best) ? best : want;
}

Isa initial_isa() {
  Isa isa = detected_isa();
  const char* env = std::getenv("FACECORE_ISA");
  Isa forced;
  if (env && *env && parse_isa(env, &forced)) isa = clamp(forced);
  return isa;
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

Isa detected_isa() {
  static const Isa isa = probe();
  return isa;
}

Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

Isa set_isa(Isa isa) {
  const Isa chosen = clamp(isa);
  active_slot().store(static_cast<int>(chosen), std::memory_order_relaxed);
  return chosen;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    default: return "scalar";
  }
}

bool parse_isa(const char* name, Isa* out) {
  if (std::strcmp(name, "scalar") == 0) *out = Isa::kScalar;
  else if (std::strcmp(name, "avx2") == 0) *out = Isa::kAvx2;
  else if (std::strcmp(name, "avx512") == 0) *out = Isa::kAvx512;
  else return false;
  return true;
}

}  // namespace facecore
