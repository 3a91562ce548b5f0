#include "facecore/crc32c.h"

#include <cstring>

#include "facecore/cpu_features.h"

namespace facecore {
namespace detail {
namespace {

constexpr uint32_t kPoly = 0x82f63b78u;  // Castagnoli, bit-reflected

struct Tables {
  uint32_t slice[8][256];
  uint32_t x2n[32];  // x^(2^k) mod P: the building blocks of a shift by n zero bytes
  Tables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ kPoly : c >> 1;
      slice[0][b] = c;
    }
    for (int t = 1; t < 8; ++t)
      for (uint32_t b = 0; b < 256; ++b) slice[t][b] = (slice[t - 1][b] >> 8) ^ slice[0][slice[t - 1][b] & 0xff];
    uint32_t p = 1u << 30;  // x^1
    for (int k = 0; k < 32; ++k) {
      x2n[k] = p;
      p = multiply(p, p);
    }
  }
  // a * b mod P in GF(2), bit-reflected (M. Adler's multmodp).
  static uint32_t multiply(uint32_t a, uint32_t b) {
    uint32_t m = 1u << 31, prod = 0;
    for (;;) {
      if (a & m) {
        prod ^= b;
        if ((a & (m - 1)) == 0) break;
      }
      m >>= 1;
      b = b & 1 ? (b >> 1) ^ kPoly : b >> 1;
    }
    return prod;
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

uint32_t crc32c_raw_table(uint32_t reg, const uint8_t* p, size_t n) {
  const auto& t = tables().slice;
  for (; n >= 8; n -= 8, p += 8) {  // slicing-by-8
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= reg;  // little-endian byte order, as the file is
    reg = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
  }
  for (; n > 0; --n) reg = (reg >> 8) ^ t[0][(reg ^ *p++) & 0xff];
  return reg;
}

uint32_t crc32c_shift(uint32_t reg, size_t n) {
  // x^(8n) mod P from the squares table, bit k of 8n picking x^(2^k); then reg * that.
  const auto& t = tables();
  uint32_t x = 1u << 31;  // 1
  uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int k = 0; bits != 0; ++k, bits >>= 1)
    if (bits & 1) x = Tables::multiply(t.x2n[k % 32], x);
  return Tables::multiply(x, reg);
}

}  // namespace detail

uint32_t crc32c(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
#if defined(FACECORE_X86)
  if (active_isa(Kernel::kCrc32c) != Isa::kScalar) return ~detail::crc32c_raw_sse42(~crc, p, n);
#endif
  return ~detail::crc32c_raw_table(~crc, p, n);
}

}  // namespace facecore
