// Runtime ISA selection. Every kernel family keeps one implementation per ISA, each in its
// own translation unit, and asks active_isa(family) which one to call. A family gets the
// AVX-512 tier when the CPU has what that family's TU is compiled for, and nothing more:
// only the int8 dot needs VNNI, and no kernel uses BF16 (so Skylake-SP gets AVX-512 too).
#pragma once

namespace facecore {

enum class Isa : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The kernel families, each with its own ISA requirement (see best_isa).
enum class Kernel : int {
  kGeneral = 0,  // f32 dot, f16 convert/dot, warp, margin, machine probes: AVX-512 F/BW/DQ/VL
  kI8Dot = 1,    // int16 x int8 dot (vpdpwssd): the AVX-512 tier also needs VNNI
  kCrc32c = 2,   // the crc32 instruction (SSE4.2), used from the AVX2 tier up
};
constexpr int kKernelCount = 3;

// What cpuid and xgetbv report; a plain struct so selection is testable on any CPU's set.
struct CpuFeatures {
  bool os_ymm = false, os_zmm = false;  // the OS saves AVX / AVX-512 state (XCR0)
  bool sse42 = false, avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512vnni = false, avx512bf16 = false;
};

// This CPU's features (cpuid + xgetbv), probed once; all false off x86.
const CpuFeatures& cpu_features();

// The best ISA `family` can run with `f`: a pure function, unit-tested per CPU generation.
Isa best_isa(const CpuFeatures& f, Kernel family);

// Best ISA of the general family on this CPU: the tier getIsa/setIsa speak of.
Isa detected_isa();

// The ceiling all families obey: detected_isa(), lowered by FACECORE_ISA=scalar|avx2|avx512
// at first use, or by set_isa().
Isa active_isa();
// The ISA `family` runs: min(ceiling, best_isa(cpu_features(), family)).
Isa active_isa(Kernel family);

// Forces the ceiling for this process; returns the one actually set (clamped to detected).
Isa set_isa(Isa isa);

const char* isa_name(Isa isa);

// Parses "scalar" | "avx2" | "avx512"; returns false on anything else.
bool parse_isa(const char* name, Isa* out);

}  // namespace facecore
