#include "facecore/id_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace facecore {
namespace {

std::vector<uint8_t> block(const std::vector<std::string>& keys) {
  std::vector<uint8_t> out;
  for (const auto& k : keys) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back(0);
  }
  return out;
}

TEST(IdTable, HashesUtf16CodeUnitsLikeJs) {
  // Values from src/gallery/string-index.ts's hashOf (node): 'a', 'face-1', 'é', '😀'.
  EXPECT_EQ(utf16_fnv1a(reinterpret_cast<const uint8_t*>("a"), 1), 0xe40de134u);
  EXPECT_EQ(utf16_fnv1a(reinterpret_cast<const uint8_t*>("face-1"), 6), 0x011ef32bu);
  EXPECT_EQ(utf16_fnv1a(reinterpret_cast<const uint8_t*>("\xc3\xa9"), 2), 0x6c0bb452u);
  EXPECT_EQ(utf16_fnv1a(reinterpret_cast<const uint8_t*>("\xf0\x9f\x98\x80"), 4), 0xcb3052dbu);
}

TEST(IdTable, BuildsFindsDuplicatesAndRejectsBadBlocks) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("id-" + std::to_string(i * 7919 % 1000));
  auto bytes = block(keys);
  std::vector<int32_t> table(2048, 0);
  ASSERT_EQ(build_id_table(bytes.data(), bytes.size(), keys.size(), table.data(), table.size()), 1000);
  int filled = 0;
  for (int32_t e : table) filled += e > 0;
  EXPECT_EQ(filled, 1000);

  keys.push_back("id-5");  // a repeat: reported by its index
  bytes = block(keys);
  std::fill(table.begin(), table.end(), 0);
  EXPECT_EQ(build_id_table(bytes.data(), bytes.size(), keys.size(), table.data(), table.size()), 1000);
  std::fill(table.begin(), table.end(), 0);
  EXPECT_EQ(build_id_table(bytes.data(), bytes.size(), 999, table.data(), table.size()), -1);   // trailing bytes
  EXPECT_EQ(build_id_table(bytes.data(), bytes.size() - 1, 1001, table.data(), table.size()), -1);  // no final NUL
  EXPECT_EQ(build_id_table(bytes.data(), bytes.size(), 1001, table.data(), 1000), -1);  // not a power of two
}

}  // namespace
}  // namespace facecore
