// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace k2c {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, EachDelayIsWithinItsExponentialCeiling) {
  Backoff b(milliseconds(100), milliseconds(10'000), 2.0, /*seed=*/1);
  const int64_t ceilings[] = {100, 200, 400, 800, 1600, 3200, 6400, 10'000, 10'000, 10'000};
  for (int64_t ceiling : ceilings) {
    const milliseconds d = b.NextDelay();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), ceiling);
  }
  EXPECT_EQ(b.attempt(), 10);
}

TEST(BackoffTest, DelaysGrowOnAverage) {
  // Full jitter makes single draws noisy; the mean of many draws tracks half
  // the ceiling, so compare means of early and late attempts.
  double early = 0;
  double late = 0;
  constexpr int kRuns = 2000;
  for (int seed = 0; seed < kRuns; ++seed) {
    Backoff b(milliseconds(100), milliseconds(100'000), 2.0, seed);
    early += static_cast<double>(b.NextDelay().count());  // ceiling 100
    for (int i = 0; i < 4; ++i) b.NextDelay();
    late += static_cast<double>(b.NextDelay().count());  // ceiling 3200
  }
  early /= kRuns;
  late /= kRuns;
  EXPECT_NEAR(early, 50, 10);
  EXPECT_NEAR(late, 1600, 150);
}

TEST(BackoffTest, CappedAtMaxAndUsesTheWholeRange) {
  Backoff b(milliseconds(10), milliseconds(500), 3.0, /*seed=*/7);
  for (int i = 0; i < 10; ++i) b.NextDelay();
  milliseconds lo = milliseconds::max();
  milliseconds hi = milliseconds::zero();
  for (int i = 0; i < 2000; ++i) {
    const milliseconds d = b.NextDelay();
    ASSERT_LE(d, milliseconds(500));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, milliseconds(50));   // Full jitter: near zero happens.
  EXPECT_GT(hi, milliseconds(450));  // ... and so does near the cap.
}

TEST(BackoffTest, NeverOverflowsAfterManyAttempts) {
  Backoff b(milliseconds(1), milliseconds(60'000), 10.0, /*seed=*/3);
  for (int i = 0; i < 5000; ++i) {
    const milliseconds d = b.NextDelay();
    ASSERT_GE(d.count(), 0);
    ASSERT_LE(d, milliseconds(60'000));
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff b(milliseconds(100), milliseconds(100'000), 2.0, /*seed=*/5);
  for (int i = 0; i < 10; ++i) b.NextDelay();
  b.Reset();
  EXPECT_EQ(b.attempt(), 0);
  for (int i = 0; i < 100; ++i) {
    b.Reset();
    EXPECT_LE(b.NextDelay(), milliseconds(100));
  }
}

TEST(BackoffTest, SameSeedSameSequence) {
  Backoff a(milliseconds(50), milliseconds(5000), 2.0, /*seed=*/42);
  Backoff b(milliseconds(50), milliseconds(5000), 2.0, /*seed=*/42);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.NextDelay(), b.NextDelay());
}

TEST(BackoffTest, ThrottledWaitsAtLeastTheFloor) {
  Backoff b(milliseconds(100), milliseconds(30'000), 2.0, /*seed=*/9);
  ASSERT_EQ(b.throttled_floor(), Backoff::kDefaultThrottledFloor);
  for (int i = 0; i < 200; ++i) {
    b.Reset();
    const milliseconds d = b.NextDelay(Status::Throttled("SlowDown"));
    EXPECT_GE(d, Backoff::kDefaultThrottledFloor);
    EXPECT_LE(d, 2 * Backoff::kDefaultThrottledFloor);
  }
  // Later attempts still follow the exponential ceiling, floor included.
  for (int i = 0; i < 20; ++i) {
    const milliseconds d = b.NextDelay(Status::Throttled("SlowDown"));
    EXPECT_GE(d, Backoff::kDefaultThrottledFloor);
    EXPECT_LE(d, milliseconds(30'000));
  }
}

TEST(BackoffTest, OtherCodesIgnoreTheThrottledFloor) {
  Backoff b(milliseconds(100), milliseconds(30'000), 2.0, /*seed=*/11);
  for (int i = 0; i < 100; ++i) {
    b.Reset();
    EXPECT_LE(b.NextDelay(Status::Unavailable("503")), milliseconds(100));
    b.Reset();
    EXPECT_LE(b.NextDelay(Status::DeadlineExceeded("slow")), milliseconds(100));
  }
}

TEST(BackoffTest, ThrottledFloorNeverExceedsMax) {
  Backoff b(milliseconds(10), milliseconds(300), 2.0, /*seed=*/13);
  b.set_throttled_floor(milliseconds(5000));
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(b.NextDelay(Status::Throttled("SlowDown")), milliseconds(300));
  }
}

TEST(BackoffTest, OutOfRangeArgumentsAreClamped) {
  Backoff b(milliseconds(0), milliseconds(0), 0.5, /*seed=*/1);
  for (int i = 0; i < 10; ++i) EXPECT_LE(b.NextDelay(), milliseconds(1));
}

}  // namespace
}  // namespace k2c
