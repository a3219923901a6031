// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/upload_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace k2c {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(UploadPoolTest, LanesTakeTurnsSoAQueueOfOneTaskCannotStarveAnother) {
  // Declared before the pool, which runs the jobs left at its destruction.
  std::mutex mu;
  std::vector<std::string> order;
  UploadPool pool("test-fair", 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.Submit("a", [released] { released.wait(); });  // Holds the only thread.
  for (int i = 0; i < 50; ++i) {
    pool.Submit("a", [&] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back("a");
    });
  }
  std::promise<size_t> b_ran;  // How many jobs of `a` ran before b.
  pool.Submit("b", [&] {
    std::lock_guard<std::mutex> lock(mu);
    b_ran.set_value(order.size());
  });
  release.set_value();
  auto before_b = b_ran.get_future();
  ASSERT_EQ(before_b.wait_for(seconds(10)), std::future_status::ready);
  // FIFO would run b after all 50; in turns it runs right after a's next job
  // (or before it, if the thread had not taken the blocker yet).
  EXPECT_LE(before_b.get(), 1u);
}

TEST(UploadPoolTest, ADelayedJobHoldsNoThreadWhileItWaits) {
  UploadPool pool("test-delay", 1);
  auto delayed_ran = std::make_shared<std::promise<void>>();
  pool.SubmitAfter("a", seconds(3600), [delayed_ran] { delayed_ran->set_value(); });
  std::promise<void> now_ran;
  pool.Submit("b", [&] { now_ran.set_value(); });
  EXPECT_EQ(now_ran.get_future().wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(pool.pending(), 1u);
}

TEST(UploadPoolTest, DelayedJobsRunWhenTheClockReachesTheirTimeInThatOrder) {
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> first, last;
  ManualClock clock;
  UploadPool pool("test-due", 1, clock);
  pool.SubmitAfter("a", seconds(60), [&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(2);
    last.set_value();
  });
  pool.SubmitAfter("a", seconds(20), [&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(1);
    first.set_value();
  });
  auto first_ran = first.get_future();
  auto last_ran = last.get_future();
  // Time stands still: nothing is due, however long the test waits.
  EXPECT_EQ(first_ran.wait_for(milliseconds(50)), std::future_status::timeout);
  clock.Advance(seconds(19));
  EXPECT_EQ(first_ran.wait_for(milliseconds(20)), std::future_status::timeout);
  clock.Advance(seconds(1));
  ASSERT_EQ(first_ran.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(last_ran.wait_for(milliseconds(20)), std::future_status::timeout);
  EXPECT_EQ(pool.pending(), 1u);
  clock.Advance(seconds(40));
  ASSERT_EQ(last_ran.wait_for(seconds(10)), std::future_status::ready);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(UploadPoolTest, DestructionDropsDelayedJobsAndRunsQueuedOnes) {
  auto delayed_ran = std::make_shared<bool>(false);
  bool queued_ran = false;
  {
    UploadPool pool("test-stop", 1);
    pool.SubmitAfter("a", seconds(3600), [delayed_ran] { *delayed_ran = true; });
    pool.Submit("a", [&] { queued_ran = true; });
  }
  EXPECT_TRUE(queued_ran);
  EXPECT_FALSE(*delayed_ran);
}

}  // namespace
}  // namespace k2c
