// ISA selection per kernel family, on the feature sets real CPUs report.
#include "facecore/cpu_features.h"

#include <gtest/gtest.h>

namespace facecore {
namespace {

CpuFeatures haswell() {
  CpuFeatures f;
  f.os_ymm = f.sse42 = f.avx2 = f.fma = f.f16c = true;
  return f;
}
CpuFeatures zen3() { return haswell(); }  // AVX2/FMA/F16C, no AVX-512 (this machine)
CpuFeatures skylake_sp() {
  CpuFeatures f = haswell();
  f.os_zmm = f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = true;
  return f;
}
CpuFeatures cascade_lake() {
  CpuFeatures f = skylake_sp();
  f.avx512vnni = true;
  return f;
}
CpuFeatures ice_lake() { return cascade_lake(); }  // + VBMI2/BITALG etc., which no kernel uses
CpuFeatures sapphire_rapids() {
  CpuFeatures f = cascade_lake();
  f.avx512bf16 = true;
  return f;
}
CpuFeatures zen4() { return sapphire_rapids(); }
CpuFeatures zen5() { return sapphire_rapids(); }

struct Expect {
  const char* cpu;
  CpuFeatures features;
  Isa general, i8, crc;
};

TEST(IsaSelection, EachFamilyGetsWhatItsTranslationUnitNeedsOnEveryCpu) {
  const Expect cases[] = {
      {"Haswell", haswell(), Isa::kAvx2, Isa::kAvx2, Isa::kAvx2},
      {"Zen 3", zen3(), Isa::kAvx2, Isa::kAvx2, Isa::kAvx2},
      // No VNNI: AVX-512 for everything but the int8 dot (was AVX2 for all while BF16 was required).
      {"Skylake-SP", skylake_sp(), Isa::kAvx512, Isa::kAvx2, Isa::kAvx2},
      {"Cascade Lake", cascade_lake(), Isa::kAvx512, Isa::kAvx512, Isa::kAvx2},
      {"Ice Lake", ice_lake(), Isa::kAvx512, Isa::kAvx512, Isa::kAvx2},
      {"Sapphire Rapids", sapphire_rapids(), Isa::kAvx512, Isa::kAvx512, Isa::kAvx2},
      {"Zen 4", zen4(), Isa::kAvx512, Isa::kAvx512, Isa::kAvx2},
      {"Zen 5", zen5(), Isa::kAvx512, Isa::kAvx512, Isa::kAvx2},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(best_isa(c.features, Kernel::kGeneral), c.general) << c.cpu;
    EXPECT_EQ(best_isa(c.features, Kernel::kI8Dot), c.i8) << c.cpu;
    EXPECT_EQ(best_isa(c.features, Kernel::kCrc32c), c.crc) << c.cpu;
  }
}

TEST(IsaSelection, MissingOsStateOrOneFeatureLowersTheTier) {
  CpuFeatures no_zmm = cascade_lake();
  no_zmm.os_zmm = false;  // an OS that does not save AVX-512 state
  EXPECT_EQ(best_isa(no_zmm, Kernel::kGeneral), Isa::kAvx2);
  EXPECT_EQ(best_isa(no_zmm, Kernel::kI8Dot), Isa::kAvx2);
  CpuFeatures no_ymm = haswell();
  no_ymm.os_ymm = false;
  EXPECT_EQ(best_isa(no_ymm, Kernel::kGeneral), Isa::kScalar);
  EXPECT_EQ(best_isa(no_ymm, Kernel::kCrc32c), Isa::kScalar);
  CpuFeatures knights = haswell();  // AVX-512F without BW/DQ/VL (Knights Landing)
  knights.os_zmm = knights.avx512f = true;
  EXPECT_EQ(best_isa(knights, Kernel::kGeneral), Isa::kAvx2);
  CpuFeatures no_fma = haswell();
  no_fma.fma = false;
  EXPECT_EQ(best_isa(no_fma, Kernel::kGeneral), Isa::kScalar);
  EXPECT_EQ(best_isa(CpuFeatures{}, Kernel::kGeneral), Isa::kScalar);
  EXPECT_EQ(best_isa(CpuFeatures{}, Kernel::kI8Dot), Isa::kScalar);
}

TEST(IsaSelection, TheCeilingClampsEveryFamilyAndNeverRaisesOne) {
  const Isa saved = active_isa();
  EXPECT_EQ(set_isa(Isa::kScalar), Isa::kScalar);
  for (int k = 0; k < kKernelCount; ++k) EXPECT_EQ(active_isa(static_cast<Kernel>(k)), Isa::kScalar);
  EXPECT_EQ(set_isa(Isa::kAvx512), detected_isa());
  for (int k = 0; k < kKernelCount; ++k)
    EXPECT_EQ(active_isa(static_cast<Kernel>(k)), best_isa(cpu_features(), static_cast<Kernel>(k)));
  set_isa(saved);
}

}  // namespace
}  // namespace facecore
