// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/fetch_waker.h"

#include <gtest/gtest.h>

namespace k2c {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1);

TEST(FetchWakeRule, WakesOnceWhenAFullQueueHasDrainedToHalf) {
  FetchWakeRule rule(/*max_records=*/1000, /*max_bytes=*/1 << 30);
  Clock::time_point now = kStart;
  // Filling: never full yet, records left in the queue.
  EXPECT_FALSE(rule.AfterPoll(400, 100, 100 * 256, true, now));
  EXPECT_FALSE(rule.AfterPoll(950, 100, 100 * 256, true, now));  // Full: the fetcher stops.
  EXPECT_FALSE(rule.AfterPoll(700, 100, 100 * 256, true, now));
  EXPECT_TRUE(rule.AfterPoll(500, 100, 100 * 256, true, now));  // Half: wake it.
  // Once per fill: not again until the queue has been full again.
  EXPECT_FALSE(rule.AfterPoll(300, 100, 100 * 256, true, now));
  EXPECT_FALSE(rule.AfterPoll(900, 100, 100 * 256, true, now));
  EXPECT_TRUE(rule.AfterPoll(450, 100, 100 * 256, true, now));
}

TEST(FetchWakeRule, CountsBytesForLargeRecords) {
  // 64 KiB records against a 64 MiB limit: 1,024 records fill it although
  // the record limit is far away.
  FetchWakeRule rule(/*max_records=*/262144, /*max_bytes=*/64 << 20);
  const uint64_t record = 64 << 10;
  EXPECT_FALSE(rule.AfterPoll(1000, 16, 16 * record, true, kStart));
  EXPECT_TRUE(rule.AfterPoll(500, 16, 16 * record, true, kStart));
}

TEST(FetchWakeRule, WakesWhenAPollEmptiedTheQueueWhileBehind) {
  FetchWakeRule rule(1000, 1 << 30, milliseconds(100));
  EXPECT_TRUE(rule.AfterPoll(0, 10, 10 * 256, true, kStart));
  // At most once per interval.
  EXPECT_FALSE(rule.AfterPoll(0, 10, 10 * 256, true, kStart + milliseconds(50)));
  EXPECT_TRUE(rule.AfterPoll(0, 10, 10 * 256, true, kStart + milliseconds(150)));
  // A poll that delivered nothing is not a queue running dry.
  EXPECT_FALSE(rule.AfterPoll(0, 0, 0, true, kStart + milliseconds(400)));
}

TEST(FetchWakeRule, NeverWakesWhileEveryPartitionDeliveredIsAtItsEnd) {
  // A task at rest: each poll delivers the newest records and empties the
  // queue; nothing is left to fetch, so nothing is sent.
  FetchWakeRule rule(1000, 1 << 30, milliseconds(100));
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(rule.AfterPoll(0, 3, 3 * 256, false, kStart + milliseconds(200 * i)));
  }
  // A full queue drained while only caught-up partitions were delivered
  // stays armed until a partition behind shows up.
  EXPECT_FALSE(rule.AfterPoll(950, 50, 50 * 256, false, kStart + milliseconds(3000)));
  EXPECT_FALSE(rule.AfterPoll(400, 50, 50 * 256, false, kStart + milliseconds(3000)));
  EXPECT_TRUE(rule.AfterPoll(400, 50, 50 * 256, true, kStart + milliseconds(3000)));
}

}  // namespace
}  // namespace k2c
