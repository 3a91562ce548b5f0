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

CpuFeatures probe() {
  CpuFeatures f;
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  f.sse42 = c & (1u << 20);
  f.fma = c & (1u << 12);
  f.f16c = c & (1u << 29);
  if (c & (1u << 27)) {  // OSXSAVE: xgetbv is there
    const unsigned long long xcr0 = xgetbv0();
    f.os_ymm = (xcr0 & 0x6) == 0x6;
    f.os_zmm = (xcr0 & 0xE6) == 0xE6;
  }
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = b & (1u << 5);
  f.avx512f = b & (1u << 16);
  f.avx512dq = b & (1u << 17);
  f.avx512bw = b & (1u << 30);
  f.avx512vl = b & (1u << 31);
  f.avx512vnni = c & (1u << 11);
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = a & (1u << 5);
  return f;
}
#else
CpuFeatures probe() { return {}; }
#endif

Isa clamp(Isa want, Isa best) { return static_cast<int>(want) > static_cast<int>(best) ? best : want; }

Isa initial_isa() {
  Isa isa = detected_isa();
  const char* env = std::getenv("FACECORE_ISA");
  Isa forced;
  if (env && *env && parse_isa(env, &forced)) isa = clamp(forced, detected_isa());
  return isa;
}

std::atomic<int>& ceiling_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = probe();
  return f;
}

Isa best_isa(const CpuFeatures& f, Kernel family) {
  // The AVX2 tier's TUs are built with -mavx2 -mfma -mf16c (which imply SSE4.2).
  const bool avx2 = f.os_ymm && f.avx2 && f.fma && f.f16c;
  // The AVX-512 TUs are built with F, BW, DQ and VL (Skylake-SP and every later AVX-512 CPU).
  const bool avx512 = avx2 && f.os_zmm && f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl;
  switch (family) {
    case Kernel::kI8Dot: return avx512 && f.avx512vnni ? Isa::kAvx512 : avx2 ? Isa::kAvx2 : Isa::kScalar;
    case Kernel::kCrc32c: return f.sse42 && avx2 ? Isa::kAvx2 : Isa::kScalar;
    case Kernel::kGeneral: break;
  }
  return avx512 ? Isa::kAvx512 : avx2 ? Isa::kAvx2 : Isa::kScalar;
}

Isa detected_isa() {
  static const Isa isa = best_isa(cpu_features(), Kernel::kGeneral);
  return isa;
}

Isa active_isa() { return static_cast<Isa>(ceiling_slot().load(std::memory_order_relaxed)); }

Isa active_isa(Kernel family) {
  static const Isa* best = [] {
    static Isa table[kKernelCount];
    for (int k = 0; k < kKernelCount; ++k) table[k] = best_isa(cpu_features(), static_cast<Kernel>(k));
    return table;
  }();
  return clamp(active_isa(), best[static_cast<int>(family)]);
}

Isa set_isa(Isa isa) {
  const Isa chosen = clamp(isa, detected_isa());
  ceiling_slot().store(static_cast<int>(chosen), std::memory_order_relaxed);
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
