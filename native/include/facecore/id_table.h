// The face-id lookup table of an index file, built natively at open: the ids arrive as one
// block of NUL-terminated UTF-8 strings, and the table is the open-addressing layout that
// src/gallery/string-index.ts probes (same hash, same linear probing), so JS adopts it as is.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facecore {

// FNV-1a over the string's UTF-16 code units with a final (h ^ h >> 15) mix: the value JS's
// StringIndex computes for the same string. `s` is valid UTF-8 of n bytes.
uint32_t utf16_fnv1a(const uint8_t* s, size_t n);

// Puts v + 1 for each key v of the `count` NUL-terminated keys in bytes[0, n) into `table`
// (capacity a power of two, zero-filled, more than count slots). Returns count on success,
// the index of the first key equal to an earlier one, or -1 if bytes does not hold exactly
// `count` NUL-terminated keys.
int64_t build_id_table(const uint8_t* bytes, size_t n, size_t count, int32_t* table, size_t capacity);

}  // namespace facecore
