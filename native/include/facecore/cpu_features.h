// Runtime ISA selection. Every kernel family keeps one implementation per ISA, each
// in its own translation unit, and asks active_isa() which one to call.
#pragma once

namespace facecore {

enum class Isa : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// Best ISA this CPU and OS support (cpuid + xgetbv), computed once.
Isa detected_isa();

// The ISA kernels use: detected_isa(), lowered by FACECORE_ISA=scalar|avx2|avx512
// at first use, or by set_isa(). Never higher than detected_isa().
Isa active_isa();

// Forces an ISA for this process; returns the one actually set (clamped to detected).
Isa set_isa(Isa isa);

const char* isa_name(Isa isa);

// Parses "scalar" | "avx2" | "avx512"; returns false on anything else.
bool parse_isa(const char* name, Isa* out);

}  // namespace facecore
