// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/archive_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "archive_test_util.h"
#include "sink/object_range.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t k2025_11_25T20 = 1764100800000;  // 2025-11-25T20:00:00Z

class ArchiveIndexTest : public ::testing::Test {
 protected:
  ArchiveIndexTest() {
    store_.CreateBucket(bucket_);
    location_.bucket = bucket_;
    location_.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
    location_.constants = KeyConstants{"inst", "orders", ""};
    location_.window_ms = kWindow;
  }

  // Puts the object of `partition` at `first_offset` in the window starting
  // `window` windows after 20:00, with its range in the metadata.
  std::string Put(int window, int32_t partition, int64_t first_offset, int64_t records,
                  const std::string& ext = ".jsonl") {
    return PutArchivedObject(store_, location_, k2025_11_25T20 + window * kWindow, partition,
                             first_offset, records, std::string(10 * records, 'x'), ext);
  }

  MemoryStore store_;
  Bucket bucket_{"archive"};
  ArchiveLocation location_;
};

TEST_F(ArchiveIndexTest, ListsTheWindowsOfARangeAndSkipsForeignKeys) {
  Put(0, 0, 0, 5);
  Put(0, 1, 0, 3, ".jsonl.zst");
  Put(1, 0, 5, 5, ".parquet");
  Put(12, 0, 10, 5);  // 21:00: outside an hour from 20:00.
  ASSERT_TRUE(
      store_.PutObject(bucket_, ObjectKey{"inst/orders/_manifests/20251125T200000Z.json"}, "{}")
          .ok());
  ASSERT_TRUE(
      store_
          .PutObject(bucket_,
                     ObjectKey{"inst/orders2/20251125T200000Z_p0_o00000000000000000000.jsonl"}, "x")
          .ok());
  ArchiveIndex index(&store_, location_);
  ArchiveQuery hour{k2025_11_25T20, k2025_11_25T20 + 3'600'000, std::nullopt};
  auto all = index.ListAll(hour);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].partition, 0);
  EXPECT_EQ((*all)[0].first_offset, 0);
  EXPECT_EQ((*all)[0].format, "jsonl");
  EXPECT_EQ((*all)[1].first_offset, 5);
  EXPECT_EQ((*all)[1].format, "parquet");
  EXPECT_EQ((*all)[1].window_start_ms, k2025_11_25T20 + kWindow);
  EXPECT_EQ((*all)[2].partition, 1);
  EXPECT_EQ((*all)[2].compression, "zstd");
  EXPECT_THAT(index.Prefixes(hour), ElementsAre("inst/orders/20251125T20"));

  // A start inside a window includes that window; one partition only.
  auto later = index.ListAll(ArchiveQuery{k2025_11_25T20 + kWindow + 1000, std::nullopt, 0});
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ((*later)[0].first_offset, 5);
  EXPECT_EQ((*later)[1].first_offset, 10);
}

TEST_F(ArchiveIndexTest, DescribeReadsTheRangeFromMetadata) {
  Put(0, 2, 100, 7);
  ArchiveIndex index(&store_, location_);
  auto all = index.ListAll(ArchiveQuery{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  ArchivedObject object = (*all)[0];
  EXPECT_FALSE(object.last_offset.has_value());
  ASSERT_TRUE(index.Describe(&object).ok());
  EXPECT_EQ(object.last_offset, 106);
  EXPECT_EQ(object.records, 7u);
  ASSERT_TRUE(store_.DeleteObject(bucket_, object.key).ok());
  EXPECT_EQ(index.Describe(&object).code(), StatusCode::kNotFound);
}

TEST_F(ArchiveIndexTest, PagesWithACursorAndRefusesAForeignOne) {
  std::set<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.insert(Put(i % 12, i % 3, i * 10, 10));
  ArchiveIndex index(&store_, location_);
  ArchiveQuery query{k2025_11_25T20, k2025_11_25T20 + 3'600'000, std::nullopt};
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = index.List(query, cursor, 7);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_LE(page->objects.size(), 7u) << "the limit is a maximum";
    for (const ArchivedObject& object : page->objects) {
      EXPECT_TRUE(seen.insert(object.key.value).second) << "listed twice: " << object.key.value;
    }
    cursor = page->cursor;
    ++pages;
  } while (!cursor.empty() && pages < 100);
  EXPECT_EQ(seen, keys);
  EXPECT_THAT(index.List(query, "zz", 7).status().message(), HasSubstr("cursor"));
  EXPECT_THAT(index.List(query, "39393a", 7).status().message(), HasSubstr("cursor"));
}

}  // namespace
}  // namespace k2c
