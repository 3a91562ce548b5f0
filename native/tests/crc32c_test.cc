#include "facecore/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "test_util.h"

namespace facecore {
namespace {

// Bit-at-a-time CRC-32C straight from the definition: the reference.
uint32_t reference(const uint8_t* p, size_t n) {
  uint32_t c = ~0u;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32c, KnownCheckValuesOnEveryIsa) {
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    EXPECT_EQ(crc32c(0, "123456789", 9), 0xe3069283u) << isa_name(isa);  // the standard check value
    EXPECT_EQ(crc32c(0, "", 0), 0u);
    std::vector<uint8_t> zeros(32, 0), ones(32, 0xff);
    EXPECT_EQ(crc32c(0, zeros.data(), 32), 0x8a9136aau);  // RFC 3720 B.4 test vectors
    EXPECT_EQ(crc32c(0, ones.data(), 32), 0x62a8ab43u);
  }
}

TEST(Crc32c, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(3 * 8192 * 2 + 100);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  // Around every boundary the implementations care about: 8-byte words, 3 x 8 KiB stripes.
  const size_t lengths[] = {0, 1, 7, 8, 9, 63, 64, 65, 4095, 8192, 24575, 24576, 24577, 3 * 8192 * 2 + 37};
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t off = 0; off < 8; off += 3)
      for (size_t n : lengths) EXPECT_EQ(crc32c(0, buf.data() + off, n), reference(buf.data() + off, n)) << isa_name(isa) << " off " << off << " n " << n;
  }
}

TEST(Crc32c, ExtendsAcrossCallsAndShiftJoinsStreams) {
  std::mt19937 rng(8);
  std::vector<uint8_t> buf(50000);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (Isa isa : testing::supported_isas()) {
    testing::IsaScope scope(isa);
    for (size_t cut : {0, 1, 13, 8192, 30001, 50000})
      EXPECT_EQ(crc32c(crc32c(0, buf.data(), cut), buf.data() + cut, buf.size() - cut), reference(buf.data(), buf.size()));
  }
  // reg over A||B == shift(reg over A, |B|) ^ (0 over B): the identity the 3-stream loop relies on.
  for (size_t nb : {1, 8, 100, 8192}) {
    const uint32_t a = detail::crc32c_raw_table(~0u, buf.data(), 1000);
    const uint32_t joined = detail::crc32c_shift(a, nb) ^ detail::crc32c_raw_table(0, buf.data() + 1000, nb);
    EXPECT_EQ(joined, detail::crc32c_raw_table(~0u, buf.data(), 1000 + nb)) << nb;
  }
}

}  // namespace
}  // namespace facecore
