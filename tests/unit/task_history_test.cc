// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_history.h"

#include <gtest/gtest.h>

namespace k2c {
namespace {

TEST(TaskHistoryTest, KeepsTheLastSamplesOfEachTaskAndForgetsTasksThatWent) {
  std::map<std::string, HistorySample> next;
  int64_t now = 1'000;
  TaskHistory history([&next] { return next; }, std::chrono::seconds(30), 3,
                      [&now] { return now; });
  for (uint64_t i = 1; i <= 5; ++i) {
    next = {{"orders", HistorySample{0, i * 100, static_cast<int64_t>(10 - i)}},
            {"clicks", HistorySample{0, i, std::nullopt}}};
    now += 30'000;
    history.SampleOnce();
  }
  const std::vector<HistorySample> orders = history.Samples("orders");
  ASSERT_EQ(orders.size(), 3u);  // The capacity: the oldest two are gone.
  EXPECT_EQ(orders.front().records_archived, 300u);
  EXPECT_EQ(orders.front().at_ms, 91'000);
  EXPECT_EQ(orders.back().records_archived, 500u);
  EXPECT_EQ(orders.back().lag, 5);
  EXPECT_FALSE(history.Samples("clicks").back().lag.has_value());
  EXPECT_TRUE(history.Samples("unknown").empty());

  next.erase("clicks");
  history.SampleOnce();
  EXPECT_TRUE(history.Samples("clicks").empty());
  EXPECT_EQ(history.Samples("orders").size(), 3u);
}

TEST(TaskHistoryTest, TheThreadSamplesAtOnceAndStopsWhenAsked) {
  std::atomic<int> rounds{0};
  TaskHistory history(
      [&rounds] {
        ++rounds;
        return std::map<std::string, HistorySample>{{"t", HistorySample{}}};
      },
      std::chrono::hours(1), 10);
  history.Start();
  for (int i = 0; i < 500 && history.Samples("t").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  history.Stop();  // Returns although the next round is an hour away.
  EXPECT_EQ(rounds.load(), 1);
  EXPECT_EQ(history.Samples("t").size(), 1u);
}

}  // namespace
}  // namespace k2c
