#include "facecore/id_table.h"

#include <cstring>
#include <vector>

namespace facecore {

uint32_t utf16_fnv1a(const uint8_t* s, size_t n) {
  uint32_t h = 0x811c9dc5u;
  auto unit = [&h](uint32_t u) { h = (h ^ u) * 0x01000193u; };
  for (size_t i = 0; i < n;) {
    const uint8_t b = s[i];
    uint32_t cp;
    if (b < 0x80) {
      cp = b, i += 1;
    } else if (b < 0xe0) {
      cp = (b & 0x1fu) << 6 | (s[i + 1] & 0x3fu), i += 2;
    } else if (b < 0xf0) {
      cp = (b & 0x0fu) << 12 | (s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu), i += 3;
    } else {
      cp = (b & 0x07u) << 18 | (s[i + 1] & 0x3fu) << 12 | (s[i + 2] & 0x3fu) << 6 | (s[i + 3] & 0x3fu), i += 4;
    }
    if (cp < 0x10000) {
      unit(cp);
    } else {  // a surrogate pair in UTF-16
      unit(0xd800u + ((cp - 0x10000u) >> 10));
      unit(0xdc00u + ((cp - 0x10000u) & 0x3ffu));
    }
  }
  return h ^ (h >> 15);
}

int64_t build_id_table(const uint8_t* bytes, size_t n, size_t count, int32_t* table, size_t capacity) {
  if (count >= capacity || (capacity & (capacity - 1)) != 0) return -1;
  // 32-bit offsets: a table section is far below 4 GiB (checked), and half the fresh pages.
  if (n >= (size_t{1} << 32)) return -1;
  std::vector<uint32_t> start(count + 1);
  size_t at = 0;
  for (size_t v = 0; v < count; ++v) {
    const void* end = at < n ? std::memchr(bytes + at, 0, n - at) : nullptr;
    if (end == nullptr) return -1;
    start[v] = static_cast<uint32_t>(at);
    at = static_cast<size_t>(static_cast<const uint8_t*>(end) - bytes) + 1;
  }
  if (at != n) return -1;
  start[count] = static_cast<uint32_t>(n);
  const size_t mask = capacity - 1;
  for (size_t v = 0; v < count; ++v) {
    const uint8_t* key = bytes + start[v];
    const size_t len = start[v + 1] - start[v] - 1;
    for (size_t i = utf16_fnv1a(key, len) & mask;; i = (i + 1) & mask) {
      const int32_t e = table[i];
      if (e == 0) {
        table[i] = static_cast<int32_t>(v + 1);
        break;
      }
      const size_t other = static_cast<size_t>(e - 1);
      if (start[other + 1] - start[other] - 1 == len && std::memcmp(bytes + start[other], key, len) == 0)
        return static_cast<int64_t>(v);
    }
  }
  return static_cast<int64_t>(count);
}

}  // namespace facecore
