// CRC-32C (Castagnoli, the iSCSI/ext4 checksum) of the index file's sections. The x86
// CRC32 instruction computes it in hardware, three streams at once, about 20x zlib's CRC-32
// here; other CPUs get a table-driven version with the same results.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore {

// Extends `crc` (0 for a fresh checksum) over n bytes: crc32c(crc32c(0, a), b) == crc32c(0, a||b).
uint32_t crc32c(uint32_t crc, const void* data, size_t n);

namespace detail {

// The raw register update (no pre/post inversion) that both versions share.
uint32_t crc32c_raw_table(uint32_t reg, const uint8_t* p, size_t n);
uint32_t crc32c_raw_sse42(uint32_t reg, const uint8_t* p, size_t n);
// reg advanced over n zero bytes: what joins a stream computed separately to the one before it.
uint32_t crc32c_shift(uint32_t reg, size_t n);

}  // namespace detail
}  // namespace facecore
