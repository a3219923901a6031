// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/segment_body.h"

#include <gtest/gtest.h>

#include "format/format.h"

namespace k2c {
namespace {

TEST(SegmentBodyTest, InMemoryBodyChargesTheBudgetUntilDestroyed) {
  MemoryBudget budget(1 << 20);
  {
    SegmentBody body(&budget, nullptr);
    ASSERT_TRUE(body.Append("hello ").ok());
    ASSERT_TRUE(body.Append("world").ok());
    EXPECT_EQ(body.size(), 11u);
    EXPECT_GE(budget.used(), 11u);
    EXPECT_EQ(*body.ToString(), "hello world");
    EXPECT_EQ(body.Spill().code(), StatusCode::kFailedPrecondition) << "no spool configured";
    SegmentBody moved = std::move(body);
    EXPECT_GE(budget.used(), 11u) << "the charge moves with the bytes";
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(SegmentBodyTest, SpillMovesBytesToDiskAndReleasesMemory) {
  MemoryBudget budget(64 << 20);
  Spool spool(::testing::TempDir(), 64 << 20);
  {
    SegmentBody body(&budget, &spool);
    const std::string chunk(1 << 20, 'a');
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(body.Append(chunk).ok());
    EXPECT_GE(budget.used(), 4u << 20);
    ASSERT_TRUE(body.Spill().ok());
    EXPECT_TRUE(body.spilled());
    EXPECT_LE(budget.used(), 128u << 10) << "only the write buffer stays in memory";
    ASSERT_TRUE(body.Append("tail").ok());                     // Buffered.
    ASSERT_TRUE(body.Append(std::string(3 << 20, 'b')).ok());  // Straight to the file.
    ASSERT_TRUE(body.Append("end").ok());
    ASSERT_TRUE(body.Flush().ok());
    EXPECT_LE(budget.used(), 128u << 10) << "a large record never sits in memory";
    EXPECT_EQ(body.size(), (4u << 20) + 4 + (3u << 20) + 3);
    EXPECT_EQ(spool.used(), body.size());
    std::string scratch;
    EXPECT_EQ(*body.Read((4u << 20) - 1, 6, &scratch), "atailb");
    auto all = body.ToString();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->substr(all->size() - 4), "bend");
    EXPECT_EQ(body.Read(body.size() - 1, 2, &scratch).status().code(), StatusCode::kInternal);
  }
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(spool.used(), 0u) << "spool files are anonymous and freed with the body";
}

TEST(SegmentBodyTest, ReserveGivesAGrowingBodyItsFullCapacityOnceItPassesAQuarterOfIt) {
  MemoryBudget budget(64 << 20);
  SegmentBody body(&budget, nullptr);
  body.set_reserve(8 << 20);
  const std::string chunk(100 << 10, 'a');
  uint64_t capacity = body.memory_bytes();
  int small_growths = 0;
  int jumps = 0;
  while (body.size() + chunk.size() <= (8 << 20)) {
    ASSERT_TRUE(body.Append(chunk).ok());
    if (body.memory_bytes() == capacity) continue;
    capacity = body.memory_bytes();
    if (body.size() <= (2 << 20)) {
      EXPECT_LT(capacity, 8u << 20) << "up to a quarter of the reserve, ordinary growth";
      ++small_growths;
    } else {
      EXPECT_EQ(capacity, 8u << 20) << "past a quarter, the whole reserve at once";
      ++jumps;
    }
  }
  EXPECT_GT(small_growths, 0);
  EXPECT_EQ(jumps, 1) << "no regrowth up to the reserve";
  EXPECT_EQ(budget.used(), 8u << 20) << "the reserve is charged as it is held";
  ASSERT_TRUE(body.Append(chunk).ok());
  EXPECT_GT(body.memory_bytes(), 8u << 20) << "past the reserve, ordinary growth";
}

TEST(SegmentBodyTest, AppendFromWritesInMemoryAndSpilledAlike) {
  auto format = MakeFormat(FormatSettings{});
  ASSERT_TRUE(format.ok());
  auto writer = (*format)->NewWriter(ObjectContext{"t", 0});
  ASSERT_TRUE(writer.ok());
  auto append = [&](SegmentBody& body, const RecordView& record, std::string* scratch, bool* kept) {
    return body.AppendFrom([&](std::string* out) { return (*writer)->Append(record, out, kept); },
                           16, scratch);
  };
  Spool spool(::testing::TempDir(), 64 << 20);
  SegmentBody body(nullptr, &spool);
  std::string scratch;
  bool kept = false;
  RecordView record;
  record.value = "one";
  ASSERT_TRUE(append(body, record, &scratch, &kept).ok());
  EXPECT_TRUE(kept);
  record.value = std::nullopt;
  ASSERT_TRUE(append(body, record, &scratch, &kept).ok());
  EXPECT_FALSE(kept) << "the text format drops null values";
  ASSERT_TRUE(body.Spill().ok());
  record.value = "two";
  ASSERT_TRUE(append(body, record, &scratch, &kept).ok());
  EXPECT_TRUE(kept);
  ASSERT_TRUE(body.Flush().ok());
  EXPECT_EQ(body.size(), 8u);
  EXPECT_EQ(*body.ToString(), "one\ntwo\n");
}

TEST(SegmentBodyTest, UnwritableSpoolDirectoryIsAnIOError) {
  Spool spool("/nonexistent/kafka2cos-spool", 1 << 20);
  SegmentBody body(nullptr, &spool);
  ASSERT_TRUE(body.Append("x").ok());
  Status s = body.Spill();
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("/nonexistent/kafka2cos-spool"), std::string::npos);
  EXPECT_EQ(*body.ToString(), "x") << "a failed spill keeps the bytes in memory";
}

}  // namespace
}  // namespace k2c
