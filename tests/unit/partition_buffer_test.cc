// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/partition_buffer.h"

#include <gtest/gtest.h>

#include <deque>
#include <limits>
#include <memory>
#include <string>

namespace k2c {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'764'103'500'000;  // A window boundary for 5 min windows.

class PartitionBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto format = MakeFormat(FormatSettings{});
    ASSERT_TRUE(format.ok());
    format_ = std::move(format.value());
    policy_.window_ms = 5 * kMinute;
    policy_.grace_ms = 5000;
    policy_.max_object_bytes = 1 << 20;
  }

  void Add(PartitionBuffer& buf, int64_t offset, int64_t ts, std::optional<std::string> value,
           int64_t now = kT0) {
    storage_.push_back(value.value_or(""));
    RecordView r;
    r.partition = 0;
    r.offset = offset;
    r.timestamp_ms = ts;
    if (value) r.value = storage_.back();
    ASSERT_TRUE(buf.Add(r, now, &sealed_).ok());
  }

  // The window SealIfDue closes, if any.
  static std::optional<Segment> SealDue(PartitionBuffer& buf, int64_t now) {
    std::vector<Segment> sealed;
    EXPECT_TRUE(buf.SealIfDue(now, &sealed).ok());
    if (sealed.empty()) return std::nullopt;
    return std::move(sealed.front());
  }

  std::unique_ptr<Format> format_;
  WindowPolicy policy_;
  std::vector<Segment> sealed_;
  std::deque<std::string> storage_;
};

TEST(WindowStartTest, FloorsToWindowMultiples) {
  EXPECT_EQ(WindowStartFor(kT0, 5 * kMinute), kT0);
  EXPECT_EQ(WindowStartFor(kT0 + 5 * kMinute - 1, 5 * kMinute), kT0);
  EXPECT_EQ(WindowStartFor(kT0 + 5 * kMinute, 5 * kMinute), kT0 + 5 * kMinute);
  EXPECT_EQ(WindowStartFor(-1, 1000), -1000);
}

TEST_F(PartitionBufferTest, LaterWindowRecordClosesTheOpenWindow) {
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 10, kT0 + 1, "a");
  Add(buf, 11, kT0 + 2 * kMinute, "b");
  EXPECT_TRUE(sealed_.empty());
  Add(buf, 12, kT0 + 5 * kMinute, "c");
  ASSERT_EQ(sealed_.size(), 1u);
  EXPECT_EQ(sealed_[0].body.ToString().value(), "a\nb\n");
  EXPECT_EQ(sealed_[0].first_offset, 10);
  EXPECT_EQ(sealed_[0].last_offset, 11);
  EXPECT_EQ(sealed_[0].window_start_ms, kT0);
  EXPECT_EQ(sealed_[0].reason, SealReason::kNextWindow);
  EXPECT_TRUE(buf.has_open_window());
}

TEST_F(PartitionBufferTest, LateRecordJoinsOpenWindowInsteadOfSplitting) {
  PartitionBuffer buf(0, policy_, format_.get());
  // Read at 10 minutes past: the window's end + grace has passed.
  const int64_t now = kT0 + 10 * kMinute + 5000;
  Add(buf, 1, kT0 + 5 * kMinute, "new", now);
  Add(buf, 2, kT0 + 1, "late", now);
  Add(buf, 3, kT0 + 6 * kMinute, "new2", now);
  EXPECT_TRUE(sealed_.empty());
  auto seg = SealDue(buf, now);
  ASSERT_FALSE(seg.has_value()) << "still delivering and not caught up: the window stays open";
  buf.MarkCaughtUp();
  seg = SealDue(buf, kT0 + 10 * kMinute + 5000);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->body.ToString().value(), "new\nlate\nnew2\n");
  EXPECT_EQ(seg->late_records, 1u);
  EXPECT_EQ(seg->reason, SealReason::kTimer);
}

TEST_F(PartitionBufferTest, TimerClosesIdlePartitionOnlyAfterGrace) {
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0 + 10, "x");
  buf.MarkCaughtUp();
  EXPECT_FALSE(SealDue(buf, kT0 + 5 * kMinute + 4999).has_value());
  auto seg = SealDue(buf, kT0 + 5 * kMinute + 5000);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->body.ToString().value(), "x\n");
  EXPECT_FALSE(buf.has_open_window());
  EXPECT_FALSE(SealDue(buf, kT0 + 50 * kMinute).has_value());
}

// A backlog being replayed: records of a window long past keep arriving, so
// the window is not cut by the timer; once the partition goes quiet for the
// grace period (no end-of-log event came), it is.
TEST_F(PartitionBufferTest, TimerWaitsWhileABacklogIsDeliveredThenFiresWhenQuiet) {
  PartitionBuffer buf(0, policy_, format_.get());
  const int64_t later = kT0 + 60 * kMinute;  // Wall clock far past the window.
  std::vector<Segment> sealed;
  RecordView r;
  for (int i = 0; i < 5; ++i) {
    r.offset = i;
    r.timestamp_ms = kT0 + i;
    r.value = "v";
    ASSERT_TRUE(buf.Add(r, later + i * 1000, &sealed).ok());
    EXPECT_FALSE(SealDue(buf, later + i * 1000 + 4999).has_value()) << i;
  }
  EXPECT_TRUE(sealed.empty());
  EXPECT_FALSE(SealDue(buf, later + 4 * 1000 + 4999).has_value());
  auto seg = SealDue(buf, later + 4 * 1000 + 5000);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->records, 5u);
  EXPECT_EQ(seg->reason, SealReason::kTimer);
}

TEST_F(PartitionBufferTest, SizeCapClosesObjectIncludingTheRecordThatFilledIt) {
  policy_.max_object_bytes = 8;
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0, "abc");
  Add(buf, 1, kT0, "defg");  // 4 + 5 = 9 bytes >= 8
  ASSERT_EQ(sealed_.size(), 1u);
  EXPECT_EQ(sealed_[0].reason, SealReason::kSize);
  EXPECT_EQ(sealed_[0].body.ToString().value(), "abc\ndefg\n");
  EXPECT_EQ(sealed_[0].last_offset, 1);
  EXPECT_FALSE(buf.has_open_window());
  Add(buf, 2, kT0, "h");
  EXPECT_TRUE(buf.has_open_window());
}

TEST_F(PartitionBufferTest, NullValuesAreCountedNotEncoded) {
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0, std::nullopt);
  Add(buf, 1, kT0, "");
  Add(buf, 2, kT0, "v");
  buf.MarkCaughtUp();
  auto seg = SealDue(buf, kT0 + 6 * kMinute);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->body.ToString().value(), "\nv\n");
  EXPECT_EQ(seg->records, 3u);
  EXPECT_EQ(seg->dropped_nulls, 1u);
  EXPECT_EQ(seg->first_offset, 0);
}

TEST_F(PartitionBufferTest, UntimedRecordsJoinTheOpenWindowOrTheFixedUntimedWindow) {
  // Read at two different wall-clock times, the same records must give the
  // same window (the key): the fixed untimed window, not the clock's.
  for (int64_t now : {kT0 + 7 * kMinute, kT0 + 99 * kMinute}) {
    PartitionBuffer buf(0, policy_, format_.get());
    Add(buf, 0, -1, "a", now);
    Add(buf, 1, 0, "b", now + 20 * kMinute);
    buf.MarkCaughtUp();
    auto seg = SealDue(buf, now + 30 * kMinute);
    ASSERT_TRUE(seg.has_value());
    EXPECT_EQ(seg->window_start_ms, kUntimedWindowStartMs);
    EXPECT_EQ(seg->untimed_records, 2u);
    EXPECT_EQ(seg->body.ToString().value(), "a\nb\n");
  }
  // Joining an open window keeps that window.
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0 + 1, "timed");
  Add(buf, 1, -1, "untimed");
  EXPECT_TRUE(sealed_.empty());
  EXPECT_EQ(buf.open_segment()->window_start_ms, kT0);
  EXPECT_EQ(buf.open_segment()->untimed_records, 1u);
  // A stamp past year 9999 cannot name a key's window: untimed too.
  PartitionBuffer far(0, policy_, format_.get());
  Add(far, 0, kMaxRecordTimestampMs + 1, "far");
  EXPECT_EQ(far.open_segment()->window_start_ms, kUntimedWindowStartMs);
}

TEST_F(PartitionBufferTest, FutureRecordDoesNotHoldLaterRecordsInItsWindow) {
  // Seen on main: a record stamped 2100-01-01 opened a window the timer never
  // reached, and every later record joined it as "late".
  constexpr int64_t k2100 = 4'102'444'800'000;
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, k2100, "future", kT0);
  EXPECT_EQ(buf.open_segment()->window_start_ms, k2100) << "keyed by its own stamp";
  EXPECT_EQ(buf.open_segment()->future_records, 1u);
  Add(buf, 1, kT0 + 1, "now-1", kT0 + 1);
  ASSERT_EQ(sealed_.size(), 1u) << "a current record closes the future window";
  EXPECT_EQ(sealed_[0].body.ToString().value(), "future\n");
  Add(buf, 2, kT0 + 2, "now-2", kT0 + 2);
  EXPECT_EQ(buf.open_segment()->window_start_ms, kT0);
  // A future record joins a current window instead of closing it.
  Add(buf, 3, k2100, "future-2", kT0 + 3);
  EXPECT_EQ(sealed_.size(), 1u);
  EXPECT_EQ(buf.open_segment()->future_records, 1u);
  buf.MarkCaughtUp();
  auto seg = SealDue(buf, kT0 + 5 * kMinute + 5000);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->body.ToString().value(), "now-1\nnow-2\nfuture-2\n");
}

TEST_F(PartitionBufferTest, FutureWindowIsClosedByTheTimerOneWindowAfterItOpened) {
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, std::numeric_limits<int64_t>::max() / 2, "far", kT0);  // Past year 9999: untimed.
  EXPECT_EQ(buf.open_segment()->window_start_ms, kUntimedWindowStartMs);
  buf.Clear();
  const int64_t ahead = kT0 + 2 * 60 * kMinute;  // Two hours ahead, skew is one.
  Add(buf, 0, ahead, "ahead", kT0);
  buf.MarkCaughtUp();
  EXPECT_FALSE(SealDue(buf, kT0 + 5 * kMinute + 4999).has_value());
  EXPECT_TRUE(SealDue(buf, kT0 + 5 * kMinute + 5000).has_value());
  // A stamp within the skew is an ordinary record: its window waits for the clock.
  policy_.max_future_skew_ms = 3 * 60 * kMinute;
  PartitionBuffer within(0, policy_, format_.get());
  Add(within, 0, ahead, "ahead", kT0);
  within.MarkCaughtUp();
  EXPECT_FALSE(SealDue(within, kT0 + 60 * kMinute).has_value());
}

TEST(SaturatingAddTest, ClampsInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(SaturatingAdd(kMax - 1, 5), kMax);
  EXPECT_EQ(SaturatingAdd(std::numeric_limits<int64_t>::min() + 1, -5),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(SaturatingAdd(40, 2), 42);
}

TEST_F(PartitionBufferTest, ClearDropsOpenWindow) {
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0, "a");
  buf.Clear();
  EXPECT_FALSE(buf.has_open_window());
  EXPECT_EQ(buf.buffered_bytes(), 0u);
}

TEST_F(PartitionBufferTest, TakePartHandsOutTheBodyAndKeepsCountingTheObjectSize) {
  policy_.max_object_bytes = 20;
  PartitionBuffer buf(0, policy_, format_.get());
  Add(buf, 0, kT0, "abcd");  // 5 bytes with the newline.
  EXPECT_FALSE(buf.TakePart(8).has_value());
  Add(buf, 1, kT0 + 1, "efgh");
  auto part = buf.TakePart(8);
  ASSERT_TRUE(part.has_value());
  EXPECT_EQ(part->ToString().value(), "abcd\nefgh\n");
  EXPECT_EQ(buf.buffered_bytes(), 0u);
  ASSERT_NE(buf.open_segment(), nullptr);
  EXPECT_EQ(buf.open_segment()->first_offset, 0);
  EXPECT_EQ(buf.open_segment()->streamed_bytes, 10u);
  Add(buf, 2, kT0 + 2, "ijkl");
  EXPECT_TRUE(sealed_.empty());
  Add(buf, 3, kT0 + 3, "mnop");  // 10 streamed + 10 in the body: the size cap closes it.
  ASSERT_EQ(sealed_.size(), 1u);
  EXPECT_EQ(sealed_[0].reason, SealReason::kSize);
  EXPECT_EQ(sealed_[0].bytes(), 20u);
  EXPECT_EQ(sealed_[0].body.ToString().value(), "ijkl\nmnop\n");
  EXPECT_EQ(sealed_[0].records, 4u);
}

}  // namespace
}  // namespace k2c

namespace k2c {
namespace {

// A window of a stateful format (compressor frames, Parquet row groups)
// spilled mid-way, with a part handed out, still seals into one complete
// object holding every record once, in order.
class PartitionBufferFormatTest
    : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(PartitionBufferFormatTest, SpilledAndStreamedWindowIsOneCompleteObject) {
  FormatSettings settings;
  settings.format = GetParam().first;
  settings.compression = GetParam().second;
  settings.row_group_bytes = 64 << 10;
  auto format = MakeFormat(settings).value();
  MemoryBudget budget(64 << 20);
  Spool spool(::testing::TempDir(), 1ull << 30);
  WindowPolicy policy;
  policy.window_ms = 5 * kMinute;
  policy.max_object_bytes = 1ull << 30;
  PartitionBuffer buf(0, policy, format.get(), &budget, &spool, "orders");
  std::vector<Segment> sealed;
  std::string object;  // Parts handed out, then the sealed body.
  std::vector<std::string> values;
  for (int i = 0; i < 6000; ++i) {
    values.push_back("value-" + std::to_string(i) + std::string(i % 97, 'x'));
    RecordView r;
    r.offset = i;
    r.timestamp_ms = kT0 + i;
    r.timestamp_type = TimestampType::kCreate;
    r.value = values.back();
    ASSERT_TRUE(buf.Add(r, kT0, &sealed).ok());
    if (i == 2000 || i == 4000) {
      EXPECT_GT(buf.memory_bytes(), 0u);
      ASSERT_TRUE(buf.Spill().ok());
    }
    if (i == 3000) {
      auto part = buf.TakePart(1);
      ASSERT_TRUE(part.has_value());
      ASSERT_TRUE(part->Flush().ok());
      object += part->ToString().value();
    }
  }
  ASSERT_TRUE(sealed.empty());
  buf.MarkCaughtUp();
  ASSERT_TRUE(buf.SealIfDue(kT0 + 6 * kMinute, &sealed).ok());
  ASSERT_EQ(sealed.size(), 1u);
  EXPECT_EQ(sealed[0].streamed_bytes, object.size()) << "the part handed out counts";
  ASSERT_TRUE(sealed[0].body.Flush().ok());  // As StartUpload does.
  object += sealed[0].body.ToString().value();
  EXPECT_EQ(budget.used(), sealed[0].body.memory_bytes()) << "the writer's charge is released";
  std::vector<std::string> read;
  int64_t next_offset = 0;
  ASSERT_TRUE(format
                  ->Read(object, ReadLimits{},
                         [&](const DecodedRecord& r) {
                           read.push_back(*r.value);
                           if (format->info().lossless) {
                             EXPECT_EQ(r.offset, next_offset++);
                           }
                           return Status::Ok();
                         })
                  .ok());
  ASSERT_EQ(read.size(), values.size());
  for (size_t i = 0; i < read.size(); ++i) ASSERT_EQ(read[i], values[i]) << i;
}

INSTANTIATE_TEST_SUITE_P(
    StatefulFormats, PartitionBufferFormatTest,
    ::testing::Values(std::make_pair("text", "gzip"), std::make_pair("jsonl", "zstd"),
                      std::make_pair("avro", "snappy"), std::make_pair("parquet", "zstd")),
    [](const auto& info) { return std::string(info.param.first) + "_" + info.param.second; });

}  // namespace
}  // namespace k2c
